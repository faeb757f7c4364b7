import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, rmSync, type WriteStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { finished, pipeline } from "node:stream/promises";
import { normalizeEvents, parseEventsJson } from "@recsys/core";
import { eventTime, type Instant, toEpochMs } from "@recsys/core/time";
import {
  canonicalEventJson,
  compareBufferedEvents,
  INTERACTION_EVENT_FIELDS,
  type InteractionEvent,
} from "@recsys/ports";
import { CliError } from "./errors.js";
import { fingerprint, stableHash } from "./hash.js";
import { HEAP_SLACK_BYTES, heapGuard } from "./heap.js";

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
  /** Events older than the event window before `now`: left out, as the service's buffer leaves them out. */
  outsideWindow: number;
}

/** Options of reading an events file. */
export interface ReadOptions {
  /** `now` for events without timestamps, and the end of the event window. */
  readonly now: Instant;
  /** Drop events older than this many days before `now` (as the service's buffer does). */
  readonly windowDays: number;
  /** Keep at most this many events per user, the newest (as the service's buffer does; default no cap). */
  readonly maxEventsPerUser?: number | undefined;
  /** Keep only these users (when given). */
  readonly users?: ReadonlySet<string> | undefined;
  /** Keep only users whose stable hash is `index` modulo `count`. */
  readonly shard?: { readonly index: number; readonly count: number } | undefined;
}

/**
 * The files a path names: the file itself, or for a directory the durable event log's segments of one
 * kind (`{dir}/{kind}/date=YYYY-MM-DD/*.jsonl`, written by the service with `RECSYS_EVENT_LOG_DIR`; or
 * every `*.jsonl` below the directory when it has no `{kind}/`), in name order: by day, then by segment.
 * @param path - a file or a directory
 * @param kind - `events` or `served`
 * @throws CliError when the path does not exist or the directory holds no segment
 */
export async function segmentFiles(path: string, kind: "events" | "served"): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw new CliError(`${path}: no such file or directory`);
  });
  if (!info.isDirectory()) return [path];
  const root = (await stat(join(path, kind)).catch(() => null))?.isDirectory() ? join(path, kind) : path;
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".jsonl"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  if (files.length === 0) throw new CliError(`${path}: no .jsonl ${kind} segments in it`);
  return files;
}

/**
 * The files an `--events` argument names: the file, or the durable log's event segments (see
 * {@link segmentFiles}).
 * @param path - a file or a directory
 */
export function eventFiles(path: string): Promise<string[]> {
  return segmentFiles(path, "events");
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
        body = parseEventsJson(line);
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
    return parseEventsJson(text);
  } catch (error) {
    throw new CliError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * An event's canonical JSON, and its canonical JSON with an empty `raw`. Sorting by (time, the second)
 * gives the buffer's order (time, full canonical JSON) except between events that differ only in their raw
 * payload, which fold into a model identically in either order. `raw` is the last canonical field, so both
 * texts come from one serialisation of the other fields (and none is kept in the ports' cache of canonical
 * JSON: these events live for one line).
 * @param event - the event
 */
export function eventTexts(event: InteractionEvent): { full: string; withoutRaw: string } {
  if (event.raw === undefined) {
    return { full: canonicalEventJson(event), withoutRaw: canonicalEventJson({ ...event, raw: {} }) };
  }
  const ordered: Record<string, unknown> = {};
  for (const field of INTERACTION_EVENT_FIELDS) if (field !== "raw") ordered[field] = event[field];
  const head = JSON.stringify(ordered).slice(0, -1);
  const separator = head.length > 1 ? "," : "";
  return {
    full: `${head}${separator}"raw":${JSON.stringify(event.raw)}}`,
    withoutRaw: `${head}${separator}"raw":{}}`,
  };
}

function keep(userId: string, options: ReadOptions): boolean {
  if (options.users && !options.users.has(userId)) return false;
  if (options.shard && stableHash(userId) % options.shard.count !== options.shard.index) return false;
  return true;
}

/**
 * The selected, in-window events of an events file, one at a time, with the fingerprint of each event's full
 * canonical JSON (for exact-replay de-duplication) and its canonical JSON without the raw payload.
 */
async function* selectedEvents(
  path: string,
  options: ReadOptions,
  stats: ReadStats,
): AsyncGenerator<{ userId: string; print: string; ms: number; json: string }> {
  const nowMs = toEpochMs(options.now);
  const cutoff = nowMs - options.windowDays * 86_400_000;
  const guard = heapGuard(HEAP_SLACK_BYTES, 256);
  for await (const { line, body } of readBodies(path)) {
    guard();
    const { events, rejected, outsideWindow } = normalizeEvents(body, {
      now: nowMs,
      windowDays: options.windowDays,
    });
    stats.outsideWindow += outsideWindow;
    if (rejected.length > 0) {
      stats.rejected += rejected.length;
      stats.firstRejection ??= `${path}:${line}: item ${rejected[0]!.index}: ${rejected[0]!.reason}`;
    }
    for (const event of events) {
      if (!keep(event.user_id, options)) continue;
      const ms = eventTime(event.ts);
      if (ms < cutoff) continue;
      const { full, withoutRaw } = eventTexts(event);
      yield { userId: event.user_id, print: fingerprint(full), ms, json: withoutRaw };
    }
  }
}

/**
 * One pass's events: per user, exact replays stored once (by fingerprint), then sorted into buffer order
 * (timestamp, then canonical JSON), exactly as the service's event buffer keeps them.
 */
class PassCollector {
  private readonly users = new Map<string, { prints: Set<string>; events: { ms: number; json: string }[] }>();

  constructor(
    private readonly stats: ReadStats,
    private readonly cap: number = Number.POSITIVE_INFINITY,
  ) {}

  add(userId: string, print: string, ms: number, json: string): void {
    let user = this.users.get(userId);
    if (!user) {
      user = { prints: new Set(), events: [] };
      this.users.set(userId, user);
    }
    if (user.prints.has(print)) return;
    user.prints.add(print);
    user.events.push({ ms, json });
    this.stats.events += 1;
  }

  finish(): UserEvents {
    const out: UserEvents = new Map();
    for (const [userId, { events }] of this.users)
      out.set(
        userId,
        events
          .sort(compareBufferedEvents)
          .slice(-this.cap)
          .map((e) => e.json),
      );
    this.users.clear();
    return out;
  }
}

/**
 * Read and normalise a whole events file in one pass, grouping events per user in buffer order with exact
 * replays stored once.
 * @param path - the file
 * @param options - now, window, user and shard selection
 * @param stats - totals, updated as the file is read
 */
export async function readUserEvents(
  path: string,
  options: ReadOptions,
  stats: ReadStats,
): Promise<UserEvents> {
  const pass = new PassCollector(stats, options.maxEventsPerUser);
  for await (const e of selectedEvents(path, options, stats)) pass.add(e.userId, e.print, e.ms, e.json);
  return pass.finish();
}

/**
 * The events of a user, parsed back from canonical JSON.
 * @param jsons - canonical event JSON in buffer order
 */
export function parseEvents(jsons: readonly string[]): InteractionEvent[] {
  return jsons.map((json) => JSON.parse(json) as InteractionEvent);
}

/** Users fall into this many buckets by stable hash; passes are ranges of buckets. */
const BUCKETS = 1024;

/**
 * The pass bucket of a user (a stable hash, independent of `--shard`): output is ordered by bucket, then id,
 * whatever the number of passes.
 * @param userId - the user
 */
export function passBucket(userId: string): number {
  return stableHash(`bucket:${userId}`) % BUCKETS;
}

/** Temporary folders in use; removed on any exit, even one that skips `finally` (a signal, a crash). */
/**
 * Copy a stream (standard input) to a temporary file, so it can be read like an events file (in passes,
 * spilled when large). The file is removed when the process exits.
 * @param input - the stream
 * @param tmpDir - where (default: the system's temporary folder)
 * @returns the file's path
 */
export async function copyToTempFile(input: NodeJS.ReadableStream, tmpDir?: string): Promise<string> {
  const base = tmpDir ?? tmpdir();
  const dir = join(base, `recsys-stdin-${process.pid}-${randomUUID()}`);
  trackTempDir(dir);
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    throw new CliError(
      `cannot create temporary files in ${base} (${(error as NodeJS.ErrnoException).code ?? "error"}); set --tmp-dir`,
    );
  }
  const file = join(dir, "stdin.jsonl");
  await pipeline(input, createWriteStream(file));
  return file;
}

const liveTempDirs = new Set<string>();
let exitHookInstalled = false;

function trackTempDir(dir: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const d of liveTempDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  liveTempDirs.add(dir);
}

/** Memory a pass takes per byte of spilled event text (strings, per-event objects, de-duplication sets). */
const MEMORY_PER_SPILL_BYTE = 3;

/**
 * The events of a file, pass by pass, each pass holding at most about `budgetBytes` of memory.
 *
 * A file no bigger than the budget is read in one pass. A bigger one is read once: every selected event is
 * spilled, without its raw payload, to one of several temporary files by the user's pass bucket; then each
 * pass reads only a run of consecutive spill files (whole users, never split) that fits the budget. The
 * file is parsed once whatever its size, and the temporary files are removed at the end, also on error.
 * @param path - the events file
 * @param budgetBytes - memory budget for one pass
 * @param options - now, window, user and shard selection, and where to put the temporary files
 * @param stats - totals, updated as the file is read
 */
export async function* readPasses(
  path: string,
  budgetBytes: number,
  options: ReadOptions & { readonly tmpDir?: string | undefined },
  stats: ReadStats,
): AsyncGenerator<UserEvents> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new CliError(
      `cannot read events file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (size <= budgetBytes) {
    yield await readUserEvents(path, options, stats);
    return;
  }
  const spills = Math.min(256, Math.max(2, Math.ceil((2 * MEMORY_PER_SPILL_BYTE * size) / budgetBytes)));
  const base = options.tmpDir ?? tmpdir();
  // Named and tracked before it exists, so an interruption during its creation cannot leave it behind.
  const dir = join(base, `recsys-passes-${process.pid}-${randomUUID()}`);
  trackTempDir(dir);
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    liveTempDirs.delete(dir);
    throw new CliError(
      `cannot create temporary files in ${base} (${(error as NodeJS.ErrnoException).code ?? "error"}); set --tmp-dir`,
    );
  }
  try {
    const sizes = await spill(path, options, stats, dir, spills);
    for (let from = 0; from < spills; ) {
      // A run of consecutive spill files that fits the budget (at least one).
      let to = from + 1;
      let bytes = sizes[from]!;
      while (to < spills && (bytes + sizes[to]!) * MEMORY_PER_SPILL_BYTE <= budgetBytes)
        bytes += sizes[to++]!;
      const pass = new PassCollector(stats, options.maxEventsPerUser);
      for (let i = from; i < to; i++) if (sizes[i]! > 0) await readSpill(spillFile(dir, i), pass);
      from = to;
      yield pass.finish();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    liveTempDirs.delete(dir);
  }
}

const spillFile = (dir: string, index: number) => join(dir, `${String(index).padStart(3, "0")}.tsv`);

/**
 * Write every selected event of the file to spill file `passBucket × spills / BUCKETS` in `dir`, one
 * tab-separated line each: fingerprint, epoch ms, user id (JSON), canonical JSON without raw. JSON escapes
 * tabs and newlines inside strings, so no field contains one.
 * @returns the size of every spill file (0 for one never written)
 */
async function spill(
  path: string,
  options: ReadOptions,
  stats: ReadStats,
  dir: string,
  spills: number,
): Promise<number[]> {
  const writers: (WriteStream | undefined)[] = new Array(spills);
  try {
    for await (const e of selectedEvents(path, options, stats)) {
      const index = Math.floor((passBucket(e.userId) * spills) / BUCKETS);
      let writer = writers[index];
      if (!writer) {
        writer = createWriteStream(spillFile(dir, index));
        writer.on("error", () => {}); // surfaces through `errored`, `once` and `finished`
        writers[index] = writer;
      }
      if (writer.errored) throw writer.errored;
      if (!writer.write(`${e.print}\t${e.ms}\t${JSON.stringify(e.userId)}\t${e.json}\n`))
        await once(writer, "drain");
    }
    await Promise.all(writers.map((w) => w && finished(w.end())));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof CliError || !code) throw error;
    throw new CliError(`cannot write temporary files in ${dir} (${code})`);
  } finally {
    for (const writer of writers) writer?.destroy();
  }
  return writers.map((w) => w?.bytesWritten ?? 0);
}

/** Add every line of a spill file to a pass. */
async function readSpill(file: string, pass: PassCollector): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    const a = line.indexOf("\t");
    const b = line.indexOf("\t", a + 1);
    const c = line.indexOf("\t", b + 1);
    pass.add(
      JSON.parse(line.slice(b + 1, c)) as string,
      line.slice(0, a),
      Number(line.slice(a + 1, b)),
      line.slice(c + 1),
    );
  }
}
