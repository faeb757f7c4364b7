import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { eventTime, type Instant, normalizeEvents, toEpochMs } from "@recsys/core";
import { canonicalEventJson, compareBufferedEvents, type InteractionEvent } from "@recsys/ports";
import { CliError } from "./errors.js";
import { fingerprint, stableHash } from "./hash.js";

/**
 * What one pass over the events file holds per user: canonical event JSON in buffer order, without the
 * raw payload (models never read it), so a pass holds a fraction of its input.
 */
export type UserEvents = Map<string, string[]>;

/** Totals of reading an events file. */
export interface ReadStats {
  events: number;
  rejected: number;
  firstRejection: string | null;
}

/** Options of reading an events file. */
export interface ReadOptions {
  /** `now` for events without timestamps, and the end of the event window. */
  readonly now: Instant;
  /** Drop events older than this many days before `now` (as the service's buffer does). */
  readonly windowDays: number;
  /** Keep only these users (when given). */
  readonly users?: ReadonlySet<string> | undefined;
  /** Keep only users whose stable hash is `index` modulo `count`. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined;
}

/**
 * Every ingest body in an events file: JSON Lines (one body per non-blank line: a call, an array, or a
 * `{"batch": [...]}` envelope) or one JSON array of calls spread over several lines (read whole; use JSON
 * Lines for big files).
 * @param path - the file
 * @returns bodies with their line (1-based; 1 for a JSON array file)
 * @throws CliError naming the file (and line) for an unreadable file or invalid JSON
 */
export async function* readBodies(path: string): AsyncGenerator<{ line: number; body: unknown }> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  let first = true;
  try {
    for await (const line of lines) {
      n += 1;
      if (line.trim() === "") continue;
      let body: unknown;
      try {
        body = JSON.parse(line);
      } catch {
        if (first && line.trimStart().startsWith("[")) {
          // Not JSON Lines: one JSON array spread over several lines.
          lines.close();
          yield { line: 1, body: await wholeFile(path) };
          return;
        }
        throw new CliError(`${path}:${n}: not valid JSON`);
      }
      first = false;
      yield { line: n, body };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new CliError(`cannot read events file ${path} (${code})`);
    throw error;
  }
}

async function wholeFile(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Canonical JSON of an event with an empty `raw`. Sorting by (time, this JSON) gives the buffer's order
 * (time, full canonical JSON) except between events that differ only in their raw payload, which fold into
 * a model identically in either order.
 * @param event - the event
 */
function withoutRaw(event: InteractionEvent): string {
  return canonicalEventJson({ ...event, raw: {} });
}

function keep(userId: string, options: ReadOptions): boolean {
  if (options.users && !options.users.has(userId)) return false;
  if (options.shard && stableHash(userId) % options.shard.count !== options.shard.index) return false;
  return true;
}

/**
 * Read and normalise an events file, grouping events per user in buffer order (timestamp, then canonical
 * JSON) with exact replays stored once, exactly as the service's event buffer keeps them.
 * @param path - the file
 * @param options - now, window, user and shard selection, and `accept(userId)` for pass selection
 * @param stats - totals, updated as the file is read
 */
export async function readUserEvents(
  path: string,
  options: ReadOptions & { readonly accept?: (userId: string) => boolean },
  stats: ReadStats,
): Promise<UserEvents> {
  const nowMs = toEpochMs(options.now);
  const cutoff = nowMs - options.windowDays * 86_400_000;
  const seen = new Map<string, Set<string>>();
  const staged = new Map<string, { ms: number; json: string }[]>();
  for await (const { line, body } of readBodies(path)) {
    const { events, rejected } = normalizeEvents(body, { now: nowMs });
    if (rejected.length > 0) {
      stats.rejected += rejected.length;
      stats.firstRejection ??= `${path}:${line}: item ${rejected[0]!.index}: ${rejected[0]!.reason}`;
    }
    for (const event of events) {
      if (!keep(event.user_id, options) || (options.accept && !options.accept(event.user_id))) continue;
      const ms = eventTime(event.ts);
      if (ms < cutoff) continue;
      // Exact replays are stored once, as in the buffer: compare fingerprints of the full canonical JSON.
      const print = fingerprint(canonicalEventJson(event));
      let prints = seen.get(event.user_id);
      if (!prints) {
        prints = new Set();
        seen.set(event.user_id, prints);
        staged.set(event.user_id, []);
      }
      if (prints.has(print)) continue;
      prints.add(print);
      staged.get(event.user_id)!.push({ ms, json: withoutRaw(event) });
      stats.events += 1;
    }
  }
  const out: UserEvents = new Map();
  for (const [user, list] of staged)
    out.set(
      user,
      list.sort(compareBufferedEvents).map((e) => e.json),
    );
  return out;
}

/**
 * The events of a user, parsed back from canonical JSON.
 * @param jsons - canonical event JSON in buffer order
 */
export function parseEvents(jsons: readonly string[]): InteractionEvent[] {
  return jsons.map((json) => JSON.parse(json) as InteractionEvent);
}

/**
 * Plan passes so that no pass holds more than `budgetBytes` of input: users are put in 1,024 buckets by
 * stable hash, and consecutive buckets are grouped. One pass when the file fits.
 * @param path - the events file
 * @param budgetBytes - memory budget for one pass
 * @param options - now, selection
 * @returns bucket ranges `[from, to)`, and the bucket of a user
 */
export async function planPasses(
  path: string,
  budgetBytes: number,
  options: ReadOptions,
): Promise<{ passes: [number, number][]; bucketOf: (userId: string) => number }> {
  const BUCKETS = 1024;
  const bucketOf = (userId: string) => stableHash(`bucket:${userId}`) % BUCKETS;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new CliError(
      `cannot read events file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (size <= budgetBytes) return { passes: [[0, BUCKETS]], bucketOf };
  const bytes = new Float64Array(BUCKETS);
  const nowMs = toEpochMs(options.now);
  for await (const { body } of readBodies(path)) {
    for (const event of normalizeEvents(body, { now: nowMs }).events) {
      if (keep(event.user_id, options))
        bytes[bucketOf(event.user_id)]! += canonicalEventJson(event).length * 2;
    }
  }
  const passes: [number, number][] = [];
  let from = 0;
  let total = 0;
  for (let b = 0; b < BUCKETS; b++) {
    if (total > 0 && total + bytes[b]! > budgetBytes) {
      passes.push([from, b]);
      from = b;
      total = 0;
    }
    total += bytes[b]!;
  }
  passes.push([from, BUCKETS]);
  return { passes, bucketOf };
}
