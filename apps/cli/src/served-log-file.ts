import { normalizeEvents } from "@recsys/core";
import { type InteractionEvent, type ServedEntry, safeParseServedEntry } from "@recsys/ports";
import { eventFiles, readBodies, segmentFiles } from "./events-file.js";

/**
 * Every served list of a served-log file (JSON Lines of served entries) or of the durable log's directory
 * (`{dir}/served/date=…/*.jsonl`, written with `RECSYS_EVENT_LOG_DIR`), in file and line order.
 * @param path - a file or a directory
 * @returns the entries and how many lines were not served entries
 * @throws CliError when the path is missing or holds no served segment
 */
export async function readServedLog(path: string): Promise<{ entries: ServedEntry[]; skipped: number }> {
  const files = await segmentFiles(path, "served");
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
