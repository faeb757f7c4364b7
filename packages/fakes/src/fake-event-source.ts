import { eventTime } from "@recsys/core";
import {
  canonicalEventJson,
  compareBufferedEvents,
  type EventBuffer,
  type InteractionEvent,
} from "@recsys/ports";

/** Options of {@link FakeEventSource}. */
export interface FakeEventSourceOptions {
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
export class FakeEventSource implements EventBuffer {
  readonly #events = new Map<string, Stored[]>();
  readonly #windowMs: number | null;
  readonly #clock: () => number;

  /** @param options - window and clock */
  constructor(options: FakeEventSourceOptions = {}) {
    this.#windowMs = options.windowDays === undefined ? null : options.windowDays * 86_400_000;
    this.#clock = options.clock ?? Date.now;
  }

  async append(events: readonly InteractionEvent[]): Promise<void> {
    const touched = new Set<string>();
    for (const event of events) {
      const list = this.#events.get(event.user_id) ?? [];
      const json = canonicalEventJson(event);
      if (!list.some((stored) => stored.json === json)) list.push({ ms: eventTime(event.ts), json });
      this.#events.set(event.user_id, list);
      touched.add(event.user_id);
    }
    const cutoff = this.#windowMs === null ? null : this.#clock() - this.#windowMs;
    for (const user of touched) {
      const list = this.#events.get(user)!;
      list.sort(compareBufferedEvents);
      if (cutoff !== null) {
        const kept = list.filter((stored) => stored.ms >= cutoff);
        if (kept.length > 0) this.#events.set(user, kept);
        else this.#events.delete(user);
      }
    }
  }

  async fetchEvents(userId: string): Promise<InteractionEvent[]> {
    return (this.#events.get(userId) ?? []).map((stored) => JSON.parse(stored.json) as InteractionEvent);
  }

  async *users(): AsyncIterable<string> {
    yield* [...this.#events.keys()];
  }

  async ping(): Promise<void> {}
}
