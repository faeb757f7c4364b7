import { eventTime } from "@recsys/core/time";
import {
  type AppendResult,
  canonicalEventJson,
  type EventBuffer,
  freezeDeep,
  type InteractionEvent,
  LruMap,
} from "@recsys/ports";

/** Options of {@link InMemoryEventBuffer}. */
export interface InMemoryEventBufferOptions {
  /** Keep only events newer than this many days (trimmed on append). Default: keep everything. */
  readonly windowDays?: number;
  /** The clock for trimming (default `Date.now`). */
  readonly clock?: () => number;
  /** Keep at most this many events per user, the newest (default: no cap). */
  readonly maxEventsPerUser?: number;
  /** Hold at most this many users; beyond it the least recently used one is evicted (default: no cap). */
  readonly maxUsers?: number;
  /** A user's events expire this long after the window past their last append, as on Redis (default 1 day). */
  readonly ttlMarginMs?: number;
}

interface Stored {
  readonly ms: number;
  /** The event, frozen (events never change once made), handed to every reader. */
  readonly event: InteractionEvent;
}

interface UserEvents {
  /** In buffer order: time, then canonical JSON. */
  list: Stored[];
  version: number;
  expiresAt: number;
}

/**
 * Where an event goes in a user's list (buffer order), or -1 when the list holds it already (an exact
 * replay). Only events with the same time are compared by their canonical JSON: serialising every event
 * to find replays was the largest part of an ingest, and the text, held for each buffered event, doubled
 * a user's memory.
 */
function placeOf(list: readonly Stored[], ms: number, event: InteractionEvent): number {
  // The newest event so far: the common case, with nothing to compare.
  const last = list.length - 1;
  if (last < 0 || list[last]!.ms < ms) return list.length;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.ms < ms) lo = mid + 1;
    else hi = mid;
  }
  if (lo === list.length || list[lo]!.ms !== ms) return lo;
  const json = canonicalEventJson(event);
  for (; lo < list.length && list[lo]!.ms === ms; lo++) {
    const other = canonicalEventJson(list[lo]!.event);
    if (other === json) return -1;
    if (other > json) return lo;
  }
  return lo;
}

/**
 * The in-memory event buffer: per user, events kept in buffer order (timestamp, then canonical JSON, as
 * Redis keeps them), an exact replay of a stored event stored once, optional window trimming and a
 * per-user cap (the newest events are kept). The events appended are frozen (events never change once
 * made) and handed back to every reader as they are.
 */
export class InMemoryEventBuffer implements EventBuffer {
  /**
   * Per user: events in buffer order, the set of their canonical JSON (exact-replay check in O(1)), a
   * version, and when they expire (last append + window + margin); in order of use, least recently used
   * first, for least-recently-used eviction.
   */
  readonly #events = new LruMap<string, UserEvents>();
  /** Versions of users whose events were all trimmed away (so a version never repeats). */
  #generation = 0;
  readonly #windowMs: number | null;
  readonly #clock: () => number;
  readonly #cap: number;
  readonly #maxUsers: number;
  readonly #ttlMs: number;

  /** @param options - window, per-user cap, user cap, TTL margin and clock */
  constructor(options: InMemoryEventBufferOptions = {}) {
    this.#windowMs = options.windowDays === undefined ? null : options.windowDays * 86_400_000;
    this.#clock = options.clock ?? Date.now;
    this.#cap = options.maxEventsPerUser ?? Number.POSITIVE_INFINITY;
    this.#maxUsers = options.maxUsers ?? Number.POSITIVE_INFINITY;
    this.#ttlMs =
      this.#windowMs === null
        ? Number.POSITIVE_INFINITY
        : this.#windowMs + (options.ttlMarginMs ?? 86_400_000);
  }

  /** A user's events unless they have expired (expired ones are dropped). */
  #live(userId: string): UserEvents | undefined {
    const user = this.#events.peek(userId);
    if (user === undefined || user.expiresAt > this.#clock()) return user;
    this.#events.delete(userId);
    return undefined;
  }

  async append(events: readonly InteractionEvent[]): Promise<AppendResult> {
    const touched = new Set<string>();
    let added = 0;
    for (const event of events) {
      let user = this.#live(event.user_id);
      if (!user) {
        user = { list: [], version: ++this.#generation, expiresAt: Number.POSITIVE_INFINITY };
        this.#events.set(event.user_id, user);
      }
      const ms = eventTime(event.ts);
      const at = placeOf(user.list, ms, event);
      if (at >= 0) {
        const stored = { ms, event: freezeDeep(event) };
        if (at === user.list.length) user.list.push(stored);
        else user.list.splice(at, 0, stored);
        user.version = ++this.#generation;
        added += 1;
      }
      touched.add(event.user_id);
    }
    const now = this.#clock();
    const cutoff = this.#windowMs === null ? null : now - this.#windowMs;
    for (const id of touched) {
      const user = this.#events.peek(id)!;
      // The list is in time order: the events to drop (too old, or beyond the cap) are its first ones.
      let drop = Math.max(0, user.list.length - this.#cap);
      if (cutoff !== null) while (drop < user.list.length && !(user.list[drop]!.ms >= cutoff)) drop += 1;
      if (drop > 0) {
        user.list = user.list.slice(drop);
        user.version = ++this.#generation;
      }
      if (user.list.length === 0) {
        this.#events.delete(id);
        continue;
      }
      user.expiresAt = now + this.#ttlMs;
      this.#events.set(id, user); // now the most recently used
    }
    // Least recently used users out, beyond the cap.
    while (this.#events.size > this.#maxUsers) this.#events.shift();
    return { added };
  }

  async fetchEvents(userId: string): Promise<InteractionEvent[]> {
    const user = this.#live(userId);
    if (!user) return [];
    this.#events.set(userId, user); // now the most recently used
    return user.list.map((stored) => stored.event);
  }

  async version(userId: string): Promise<string> {
    return String(this.#live(userId)?.version ?? 0);
  }

  async *users(): AsyncIterable<string> {
    for (const id of this.#events.keys()) if (this.#live(id)) yield id;
  }

  /** Number of users held. */
  get size(): number {
    return this.#events.size;
  }

  async ping(): Promise<void> {}
}
