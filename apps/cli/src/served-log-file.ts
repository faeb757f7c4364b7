import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { normalizeEvents } from "@recsys/core";
import { type InteractionEvent, type ServedEntry, safeParseServedEntry } from "@recsys/ports";
import { CliError } from "./errors.js";
import { eventFiles, readBodies } from "./events-file.js";

/**
 * Every served list of a served-log file (JSON Lines of served entries) or of the durable log's directory
 * (`{dir}/served/date=…/*.jsonl`, written with `RECSYS_EVENT_LOG_DIR`), in file and line order.
 * @param path - a file or a directory
 * @returns the entries and how many lines were not served entries
 * @throws CliError when the path is missing or holds no served segment
 */
export async function readServedLog(path: string): Promise<{ entries: ServedEntry[]; skipped: number }> {
  const info = await stat(path).catch(() => {
    throw new CliError(`${path}: no such file or directory`);
  });
  let files = [path];
  if (info.isDirectory()) {
    const root = (await stat(join(path, "served")).catch(() => null))?.isDirectory()
      ? join(path, "served")
      : path;
    files = (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith(".jsonl"))
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    if (files.length === 0) throw new CliError(`${path}: no .jsonl served segments in it`);
  }
  const entries: ServedEntry[] = [];
  let skipped = 0;
  for (const file of files)
    for await (const { body } of readBodies(file)) {
      const parsed = safeParseServedEntry(body);
      if (parsed.success) entries.push(parsed.output);
      else skipped++;
    }
  return { entries, skipped };
}

/**
 * Every event of an events file or durable-log directory as canonical events (RudderStack calls are
 * normalised with `now` for calls without a time; nothing is windowed).
 * @param path - a file or a directory
 * @param now - the clock for calls without a time
 */
export async function readAllEvents(path: string, now: number): Promise<InteractionEvent[]> {
  const events: InteractionEvent[] = [];
  for (const file of await eventFiles(path))
    for await (const { body } of readBodies(file)) events.push(...normalizeEvents(body, { now }).events);
  return events;
}
