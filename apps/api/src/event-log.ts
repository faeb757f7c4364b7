import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { InteractionEvent, ServedEntry } from "@recsys/ports";

/** Options of {@link DurableLog}. */
export interface DurableLogOptions {
  /** A segment is closed and a new one begun past this size (default 64 MiB). */
  readonly maxSegmentBytes?: number;
  /** Force every append to disk (`fdatasync`) before it resolves (default true). */
  readonly sync?: boolean;
}

interface Segment {
  handle: FileHandle;
  bytes: number;
  /** Appends to this segment run one after another. */
  tail: Promise<unknown>;
}

/**
 * The durable event log (`RECSYS_EVENT_LOG_DIR`, docs/behaviour.md §7.6): every accepted event, and every
 * served list, appended as JSON Lines to day segments,
 * `{dir}/events/date=YYYY-MM-DD/part-{instance}-{n}.jsonl` (the event's UTC day) and
 * `{dir}/served/date=YYYY-MM-DD/part-{instance}-{n}.jsonl` (the serving day). Each process writes its own
 * segments (the instance is host, process and a random suffix), so replicas may share the directory; a
 * segment is rotated past `maxSegmentBytes`. An append resolves once its lines are written and, by
 * default, synced to disk: the ingest answers after that. `recsys replay --events {dir}` reads it back.
 */
export class DurableLog {
  readonly #dir: string;
  readonly #max: number;
  readonly #sync: boolean;
  readonly #instance =
    `${hostname().replace(/[^\w.-]/g, "_")}-${process.pid}-${randomBytes(3).toString("hex")}`;
  /** Open segments by `kind/day`, as promises: concurrent first appends share one opening. */
  readonly #segments = new Map<string, Promise<Segment>>();
  readonly #counters = new Map<string, number>();
  #closed = false;

  /**
   * @param dir - the log's directory (created when missing)
   * @param options - segment size, sync
   */
  constructor(dir: string, options: DurableLogOptions = {}) {
    this.#dir = dir;
    this.#max = options.maxSegmentBytes ?? 64 * 1024 * 1024;
    this.#sync = options.sync ?? true;
  }

  /** The log's directory. */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Append accepted events, each to its UTC day's segment.
   * @param events - canonical events
   */
  async appendEvents(events: readonly InteractionEvent[]): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const event of events) {
      const day = event.ts.slice(0, 10);
      const lines = byDay.get(day) ?? [];
      lines.push(JSON.stringify(event));
      byDay.set(day, lines);
    }
    await Promise.all([...byDay].map(([day, lines]) => this.#append("events", day, lines)));
  }

  /**
   * Append a served list to its day's segment.
   * @param entry - the served list
   * @param text - exactly `JSON.stringify(entry)`, when the caller has made it
   */
  async appendServed(entry: ServedEntry, text?: string): Promise<void> {
    await this.#append("served", entry.ts.slice(0, 10), [text ?? JSON.stringify(entry)]);
  }

  async #append(kind: "events" | "served", day: string, lines: readonly string[]): Promise<void> {
    if (this.#closed) throw new Error("the event log is closed");
    const data = `${lines.join("\n")}\n`;
    const key = `${kind}/${day}`;
    let opening = this.#segments.get(key);
    if (!opening) {
      opening = this.#openSegment(kind, day).then((handle) => ({
        handle,
        bytes: 0,
        tail: Promise.resolve(),
      }));
      this.#segments.set(key, opening);
      opening.catch(() => this.#segments.delete(key));
    }
    const target = await opening;
    const write = target.tail.then(async () => {
      if (target.bytes >= this.#max) {
        const old = target.handle;
        target.handle = await this.#openSegment(kind, day);
        target.bytes = 0;
        await old.close();
      }
      await target.handle.appendFile(data);
      target.bytes += Buffer.byteLength(data);
      if (this.#sync) await target.handle.datasync();
    });
    target.tail = write.catch(() => {});
    await write;
  }

  async #openSegment(kind: string, day: string): Promise<FileHandle> {
    const folder = join(this.#dir, kind, `date=${day}`);
    await mkdir(folder, { recursive: true });
    const key = `${kind}/${day}`;
    const n = (this.#counters.get(key) ?? 0) + 1;
    this.#counters.set(key, n);
    return open(join(folder, `part-${this.#instance}-${String(n).padStart(4, "0")}.jsonl`), "a");
  }

  /** Wait for every append in flight, then close every segment. */
  async close(): Promise<void> {
    this.#closed = true;
    const segments = await Promise.all([...this.#segments.values()].map((p) => p.catch(() => null)));
    this.#segments.clear();
    const open = segments.filter((segment): segment is Segment => segment !== null);
    await Promise.all(open.map((segment) => segment.tail));
    await Promise.all(open.map((segment) => segment.handle.close()));
  }
}
