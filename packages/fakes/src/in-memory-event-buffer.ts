import { eventTime } from "@recsys/core/time";
import {
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
}

interface Stored {
  readonly ms: number;
  readonly json: string;
}

/**
 * The in-memory event buffer: per user, events kept in buffer order (timestamp, then canonical JSON, as
 * Redis keeps them), an exact replay of a stored event stored once, optional window trimming.
 */
export class InMemoryEventBuffer implements EventBuffer {
  /** Per user: events in buffer order, and the set of their canonical JSON (exact-replay check in O(1)). */
  readonly #events = new Map<string, { list: Stored[]; jsons: Set<string> }>();
  readonly #windowMs: number | null;
  readonly #clock: () => number;

  /** @param options - window and clock */
  constructor(options: InMemoryEventBufferOptions = {}) {
    this.#windowMs = options.windowDays === undefined ? null : options.windowDays * 86_400_000;
    this.#clock = options.clock ?? Date.now;
  }

  async append(events: readonly InteractionEvent[]): Promise<void> {
    const touched = new Set<string>();
    for (const event of events) {
      let user = this.#events.get(event.user_id);
      if (!user) {
        user = { list: [], jsons: new Set() };
        this.#events.set(event.user_id, user);
      }
      const json = canonicalEventJson(event);
      if (!user.jsons.has(json)) {
        user.jsons.add(json);
        user.list.push({ ms: eventTime(event.ts), json });
      }
      touched.add(event.user_id);
    }
    const cutoff = this.#windowMs === null ? null : this.#clock() - this.#windowMs;
    for (const id of touched) {
      const user = this.#events.get(id)!;
      user.list.sort(compareBufferedEvents);
      if (cutoff === null) continue;
      for (const stored of user.list) if (stored.ms < cutoff) user.jsons.delete(stored.json);
      user.list = user.list.filter((stored) => stored.ms >= cutoff);
      if (user.list.length === 0) this.#events.delete(id);
    }
  }

  async fetchEvents(userId: string): Promise<InteractionEvent[]> {
    return (this.#events.get(userId)?.list ?? []).map(
      (stored) => JSON.parse(stored.json) as InteractionEvent,
    );
  }

  async *users(): AsyncIterable<string> {
    yield* [...this.#events.keys()];
  }

  async ping(): Promise<void> {}
}
