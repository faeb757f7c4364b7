import { eventTime } from "@recsys/core/time";
import {
  type AppendResult,
  canonicalEventJson,
  compareBufferedEvents,
  type EventBuffer,
  type InteractionEvent,
} from "@recsys/ports";

/** Options of {@link InMemoryEventBuffer}. */
export interface InMemoryEventBufferOptions {
  /** Keep only events newer than this many days (trimmed on append). Default: keep everything. */
  readonly windowDays?: number;
  /** The clock for trimming (default `Date.now`). */
  readonly clock?: () => number;
  /** Keep at most this many events per user, the newest (default: no cap). */
  readonly maxEventsPerUser?: number;
}

interface Stored {
  readonly ms: number;
  readonly json: string;
}

/**
 * The in-memory event buffer: per user, events kept in buffer order (timestamp, then canonical JSON, as
 * Redis keeps them), an exact replay of a stored event stored once, optional window trimming and a
 * per-user cap (the newest events are kept).
 */
export class InMemoryEventBuffer implements EventBuffer {
  /** Per user: events in buffer order, and the set of their canonical JSON (exact-replay check in O(1)). */
  readonly #events = new Map<string, { list: Stored[]; jsons: Set<string>; version: number }>();
  /** Versions of users whose events were all trimmed away (so a version never repeats). */
  #generation = 0;
  readonly #windowMs: number | null;
  readonly #clock: () => number;
  readonly #cap: number;

  /** @param options - window, per-user cap and clock */
  constructor(options: InMemoryEventBufferOptions = {}) {
    this.#windowMs = options.windowDays === undefined ? null : options.windowDays * 86_400_000;
    this.#clock = options.clock ?? Date.now;
    this.#cap = options.maxEventsPerUser ?? Number.POSITIVE_INFINITY;
  }

  async append(events: readonly InteractionEvent[]): Promise<AppendResult> {
    const touched = new Set<string>();
    let added = 0;
    for (const event of events) {
      let user = this.#events.get(event.user_id);
      if (!user) {
        user = { list: [], jsons: new Set(), version: ++this.#generation };
        this.#events.set(event.user_id, user);
      }
      const json = canonicalEventJson(event);
      if (!user.jsons.has(json)) {
        user.jsons.add(json);
        user.list.push({ ms: eventTime(event.ts), json });
        user.version = ++this.#generation;
        added += 1;
      }
      touched.add(event.user_id);
    }
    const cutoff = this.#windowMs === null ? null : this.#clock() - this.#windowMs;
    for (const id of touched) {
      const user = this.#events.get(id)!;
      user.list.sort(compareBufferedEvents);
      const keep = user.list.filter((stored) => cutoff === null || stored.ms >= cutoff).slice(-this.#cap);
      if (keep.length !== user.list.length) {
        const kept = new Set(keep.map((stored) => stored.json));
        for (const stored of user.list) if (!kept.has(stored.json)) user.jsons.delete(stored.json);
        user.list = keep;
        user.version = ++this.#generation;
      }
      if (user.list.length === 0) this.#events.delete(id);
    }
    return { added };
  }

  async fetchEvents(userId: string): Promise<InteractionEvent[]> {
    return (this.#events.get(userId)?.list ?? []).map(
      (stored) => JSON.parse(stored.json) as InteractionEvent,
    );
  }

  async version(userId: string): Promise<string> {
    return String(this.#events.get(userId)?.version ?? 0);
  }

  async *users(): AsyncIterable<string> {
    yield* [...this.#events.keys()];
  }

  async ping(): Promise<void> {}
}
