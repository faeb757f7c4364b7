import type { Environment } from "@recsys/core";

/** Where the CLI writes and what it reads from its environment. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Environment;
  /** Standard input, read for `--events -` (default: none). */
  readonly stdin?: NodeJS.ReadableStream;
}

/** One `recsys` command: its name, its line in the main help, its own help, and what it runs. */
export interface CliCommand {
  /** The words that name it, e.g. `recommend` or `catalog import`. */
  readonly name: string;
  /** One line for the main help. */
  readonly summary: string;
  /** Its help: usage, options, an example. */
  readonly help: string;
  /**
   * Run it.
   * @param args - the arguments after the command's name
   * @param io - output streams and environment
   * @returns the exit code
   */
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * Print a command's help.
 * @param command - the command
 * @param io - where to print
 */
export function printHelp(command: Pick<CliCommand, "help">, io: CliIo): number {
  io.stdout.write(`${command.help}\n`);
  return 0;
}
