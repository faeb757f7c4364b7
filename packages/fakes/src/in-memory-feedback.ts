import { addPolicySums, emptyPolicySums } from "@recsys/core";
import {
  type FeedbackStore,
  type Impression,
  MapFront,
  type PolicySums,
  type ServedEntry,
  type ServedLog,
} from "@recsys/ports";

/**
 * The same text as one flat string. A string made by concatenation is, in V8, a tree of its pieces (a
 * served-log entry's: slices of a larger text and the pieces joined around them), which holds more memory
 * than its characters and more objects for every collection to mark and every scavenge to copy; a store
 * that keeps a text for hours or days keeps it flat. V8 flattens a string before it runs a regular
 * expression on it (the match itself is empty and at once).
 * @param text - a text to keep
 * @returns `text`, flattened in place
 */
export function keptText(text: string): string {
  FLATTEN.test(text);
  return text;
}

const FLATTEN = /^/;

/**
 * `JSON.stringify(impressions)` from the impressions' own texts where given (ids in `Object.keys` order,
 * which is `JSON.stringify`'s).
 */
function impressionsText(
  impressions: Readonly<Record<string, Impression>>,
  ids: readonly string[],
  texts: Readonly<Record<string, string>>,
): string {
  const parts = ids.map(
    (id) =>
      `${JSON.stringify(id)}:${(Object.hasOwn(texts, id) ? texts[id] : undefined) ?? JSON.stringify(impressions[id])}`,
  );
  return `{${parts.join(",")}}`;
}

/** Options of {@link InMemoryFeedbackStore}. */
export interface InMemoryFeedbackStoreOptions {
  /** An impression waits this long for its reward (the setting `impression_ttl_hours`, default 24). */
  readonly impressionTtlHours?: number;
  /** At most this many served lists' impressions are held, the oldest dropped first (default 100,000). */
  readonly maxRequests?: number;
  /** The clock the TTL counts by (default `Date.now`). */
  readonly clock?: () => number;
}

/**
 * Impressions and the ranking policy's learned sums in memory (the embedded default). Bounded: impressions
 * expire by the injected clock and at most `maxRequests` lists are held. Taking an impression is atomic
 * (one event-loop turn), so a re-delivered reward finds nothing.
 */
export class InMemoryFeedbackStore implements FeedbackStore {
  /**
   * request id → its impressions as one JSON text, the ids not yet rewarded, and expiry; Map order is
   * insertion (oldest first). One text per list (not one per item): a served list is written on every
   * request and up to `maxRequests` are held, and most are never rewarded.
   */
  readonly #impressions = new Map<string, { text: string; left: string[]; expiresAt: number }>();
  /**
   * The oldest served list's impressions, without walking the Map's emptied slots (see `MapFront`; each put
   * sets a new entry object, and nothing moves a key, so a peeked entry stays valid).
   */
  readonly #oldest = new MapFront(this.#impressions);
  readonly #ttlMs: number;
  readonly #maxRequests: number;
  readonly #clock: () => number;
  #sums: PolicySums | null = null;
  #seed: string | null = null;

  /** @param options - TTL, cap, clock */
  constructor(options: InMemoryFeedbackStoreOptions = {}) {
    this.#ttlMs = (options.impressionTtlHours ?? 24) * 3_600_000;
    this.#maxRequests = options.maxRequests ?? 100_000;
    this.#clock = options.clock ?? Date.now;
  }

  async putImpressions(
    requestId: string,
    impressions: Readonly<Record<string, Impression>>,
    texts?: Readonly<Record<string, string>>,
  ): Promise<void> {
    const left = Object.keys(impressions);
    if (left.length === 0) return;
    this.#impressions.delete(requestId);
    this.#impressions.set(requestId, {
      text: texts ? keptText(impressionsText(impressions, left, texts)) : JSON.stringify(impressions),
      left,
      expiresAt: this.#clock() + this.#ttlMs,
    });
    const now = this.#clock();
    for (let oldest = this.#oldest.peek(); oldest !== undefined; oldest = this.#oldest.peek()) {
      if (this.#impressions.size <= this.#maxRequests && oldest[1].expiresAt > now) break;
      this.#oldest.shift();
    }
  }

  async consumeImpression(requestId: string, contentId: string): Promise<Impression | null> {
    const entry = this.#impressions.get(requestId);
    if (!entry) return null;
    if (entry.expiresAt <= this.#clock()) {
      this.#impressions.delete(requestId);
      return null;
    }
    const at = entry.left.indexOf(contentId);
    if (at < 0) return null;
    entry.left.splice(at, 1);
    if (entry.left.length === 0) this.#impressions.delete(requestId);
    const all = JSON.parse(entry.text) as Record<string, Impression>;
    return Object.hasOwn(all, contentId) ? all[contentId]! : null;
  }

  async policySums(): Promise<PolicySums> {
    return this.#current();
  }

  #current(): PolicySums {
    return this.#sums ?? emptyPolicySums();
  }

  async addToPolicy(delta: PolicySums): Promise<void> {
    // read and write in one turn: concurrent additions never lose one another
    this.#sums = addPolicySums(this.#current(), delta);
  }

  async seedPolicy(sums: PolicySums, token: string): Promise<boolean> {
    if (this.#seed !== null || this.#current().n_updates > 0) return false;
    this.#seed = token;
    await this.addToPolicy(sums);
    return true;
  }

  async resetPolicy(): Promise<void> {
    this.#sums = null;
    this.#seed = null;
  }

  async ping(): Promise<void> {}

  /** Number of served lists whose impressions are held. */
  get pendingRequests(): number {
    return this.#impressions.size;
  }
}

/** Options of {@link InMemoryServedLog}. */
export interface InMemoryServedLogOptions {
  /** At most this many lists, the oldest dropped first (the setting `served_log_max_entries`). */
  readonly maxEntries?: number;
  /** Lists are kept this long (the setting `served_log_ttl_days`, default 7). */
  readonly ttlDays?: number;
  /** The clock the age counts by (default `Date.now`). */
  readonly clock?: () => number;
}

/** The served log in memory (the embedded default): bounded by a length cap and an age. */
export class InMemoryServedLog implements ServedLog {
  readonly #entries: { entry: string; at: number }[] = [];
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  #head = 0;

  /** @param options - cap, age, clock */
  constructor(options: InMemoryServedLogOptions = {}) {
    this.#max = options.maxEntries ?? 100_000;
    this.#ttlMs = (options.ttlDays ?? 7) * 86_400_000;
    this.#clock = options.clock ?? Date.now;
  }

  async append(entry: ServedEntry, text?: string): Promise<void> {
    this.#entries.push({
      entry: text === undefined ? JSON.stringify(entry) : keptText(text),
      at: this.#clock(),
    });
    const oldest = this.#clock() - this.#ttlMs;
    while (
      this.#head < this.#entries.length &&
      (this.#entries.length - this.#head > this.#max || this.#entries[this.#head]!.at <= oldest)
    )
      this.#head++;
    // compact now and then, so dropped entries are released
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }

  async recent(options: { readonly limit?: number; readonly userId?: string } = {}): Promise<ServedEntry[]> {
    const limit = options.limit ?? 50;
    const oldest = this.#clock() - this.#ttlMs;
    const out: ServedEntry[] = [];
    for (let i = this.#entries.length - 1; i >= this.#head && out.length < limit; i--) {
      const { entry, at } = this.#entries[i]!;
      if (at <= oldest) break;
      const parsed = JSON.parse(entry) as ServedEntry;
      if (options.userId === undefined || parsed.user_id === options.userId) out.push(parsed);
    }
    return out;
  }

  async ping(): Promise<void> {}

  /** Number of lists held. */
  get size(): number {
    return this.#entries.length - this.#head;
  }
}
