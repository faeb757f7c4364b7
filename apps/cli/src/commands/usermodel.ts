import { parseArgs } from "node:util";
import { CliError } from "../errors.js";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import { COMMON_HELP, output, prepare, SCORING_OPTIONS, scoreFile } from "./options.js";

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: SCORING_OPTIONS, strict: true });
  if (values.help) return printHelp(command, io);
  // Loaded on use, so `recsys --help` and other commands start fast.
  const { createPool } = await import("../pool.js");
  if (values.user?.length !== 1) throw new CliError("--user is required, exactly once");
  const prepared = await prepare({ ...values, workers: "1" }, io);
  const out = await output(values, io);
  const pool = await createPool(prepared.context, 1);
  let found = false;
  try {
    await scoreFile(prepared, pool, "usermodel", io, (result) => {
      found = true;
      return out.write(`${JSON.stringify(result)}\n`);
    });
    if (!found)
      throw new CliError(`no event of user ${JSON.stringify(values.user[0])} in ${prepared.eventsPath}`);
  } finally {
    await pool.close();
    await out.close();
  }
  return 0;
}

/** `recsys usermodel`. */
export const command: CliCommand = {
  name: "usermodel",
  summary: "the UserSignals JSON of one user",
  help: `Usage: recsys usermodel --catalog F --events F --user ID [--now ISO] [--config F]

Prints the user's model (UserSignals JSON), as GET /usermodel would after ingesting the same events.
Options:
${COMMON_HELP}

Example:
  recsys usermodel --catalog catalog.jsonl --events events.jsonl --user visitor-7 --now 2026-06-10T12:00:00Z`,
  run,
};
