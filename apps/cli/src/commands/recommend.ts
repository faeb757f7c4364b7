import { parseArgs } from "node:util";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import {
  COMMON_HELP,
  output,
  prepare,
  RECOMMEND_OPTIONS_HELP,
  SCORING_OPTIONS,
  scoreFile,
} from "./options.js";

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: SCORING_OPTIONS, strict: true });
  if (values.help) return printHelp(command, io);
  // Loaded on use, so `recsys --help` and other commands start fast.
  const { createPool } = await import("../pool.js");
  const prepared = await prepare(values, io);
  const out = await output(values, io);
  const pool = await createPool(prepared.context, prepared.workers);
  try {
    await scoreFile(prepared, pool, "recommend", io, (result) => out.write(`${JSON.stringify(result)}\n`));
  } finally {
    await pool.close();
    await out.close();
  }
  return 0;
}

/** `recsys recommend`. */
export const command: CliCommand = {
  name: "recommend",
  summary: 'one JSON line per user: {"user_id", "strategy", "items", "diagnostics"}',
  help: `Usage: recsys recommend --catalog F --events F [--user ID]... [--limit N] [options]

Builds each user's model from their events exactly as POST /ingest does, then recommends exactly as
GET /recommend does. Output: one JSON line per user, ordered by a stable hash of the user id.

Options:
${RECOMMEND_OPTIONS_HELP}
${COMMON_HELP}

Example:
  recsys recommend --catalog catalog.jsonl --events events.jsonl --now 2026-06-10T12:00:00Z --seed 7 --limit 5`,
  run,
};
