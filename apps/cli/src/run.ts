import { readFileSync } from "node:fs";
import { InvalidArgumentError, RecsysError } from "@recsys/ports";
import { command as catalogImport } from "./commands/catalog-import.js";
import { command as catalogPack } from "./commands/catalog-pack.js";
import type { CliCommand, CliIo } from "./commands/command.js";
import { command as evaluate } from "./commands/eval.js";
import { command as policyTrain } from "./commands/policy-train.js";
import { command as preview } from "./commands/preview.js";
import { command as recommend } from "./commands/recommend.js";
import { command as replay } from "./commands/replay.js";
import { command as usermodel } from "./commands/usermodel.js";
import { CliError } from "./errors.js";

export type { CliIo } from "./commands/command.js";

/** Every command, one module each under `commands/`; adding a command adds one file and one entry. */
const COMMANDS: readonly CliCommand[] = [
  recommend,
  usermodel,
  evaluate,
  preview,
  catalogImport,
  catalogPack,
  replay,
  policyTrain,
];

/** This CLI's version (its package.json). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** The help of a command group (`recsys catalog`): its commands. */
function groupHelp(group: string): string | null {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  if (members.length === 0) return null;
  const width = Math.max(...members.map((c) => c.name.length)) + 3;
  return `Usage: recsys ${group} <command> [options]

Commands:
${members.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n")}

Run "recsys ${members[0]!.name} --help" for its options and an example.`;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `recsys: offline scoring, user models and evaluation with the service's brain

Usage: recsys <command> [options]
       recsys --version

Commands:
${lines.join("\n")}

Run "recsys <command> --help" for its options and an example.`;
}

/** The command named by the first words of `argv`, and the arguments after its name. */
function find(argv: readonly string[]): { command: CliCommand; args: string[] } | null {
  for (const command of COMMANDS) {
    const words = command.name.split(" ");
    if (words.every((word, i) => argv[i] === word)) return { command, args: argv.slice(words.length) };
  }
  return null;
}

/**
 * Run the `recsys` command line.
 * @param argv - the arguments after the program name
 * @param io - output streams and environment
 * @returns the exit code: 0 on success, 2 for bad arguments, files or data, 1 for other failures
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [first] = argv;
  try {
    if (first === undefined || first === "--help" || first === "-h" || first === "help") {
      io.stdout.write(`${mainHelp()}\n`);
      return 0;
    }
    if (first === "--version" || first === "-V") {
      io.stdout.write(`recsys ${VERSION}\n`);
      return 0;
    }
    const found = find(argv);
    if (found) return await found.command.run(found.args, io);
    const group = groupHelp(first);
    if (group !== null && (argv.length === 1 || argv[1] === "--help" || argv[1] === "-h")) {
      io.stdout.write(`${group}\n`);
      return 0;
    }
    const members = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => `"${c.name}"`);
    if (members.length > 0) {
      throw new CliError(
        `unknown command "${argv.slice(0, 2).join(" ")}"; did you mean ${members.join(" or ")}?`,
      );
    }
    throw new CliError(`unknown command ${JSON.stringify(first)}; run "recsys --help"`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      error instanceof CliError ||
      InvalidArgumentError.isInstance(error) ||
      (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
    ) {
      io.stderr.write(`recsys: ${(error as Error).message.split("\n")[0]}\n`);
      return 2;
    }
    if (RecsysError.isInstance(error)) {
      io.stderr.write(`recsys: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`recsys: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}
