import {
  type ActivityStore,
  type ItemActivity,
  LruMap,
  type VisitorActivity,
  type VisitorItemActivity,
} from "@recsys/ports";

interface Totals {
  views: number;
  visitors: number;
  dwellSum: number;
  dwellN: number;
  positive: number;
}

/** Count one visitor's activity on an item into its totals (`sign` −1 takes it out again). */
function add(t: Totals, entry: VisitorItemActivity, sign: 1 | -1): void {
  t.views += sign * entry.visits;
  t.visitors += sign;
  if (entry.dwell !== null) {
    t.dwellSum += sign * entry.dwell;
    t.dwellN += sign;
  }
  if (entry.positive) t.positive += sign;
}

const activity = (id: string, t: Totals): ItemActivity => ({
  content_id: id,
  views: t.views,
  visitors: t.visitors,
  avg_dwell: t.dwellN > 0 ? t.dwellSum / t.dwellN : null,
  positive: t.positive,
  positive_rate: t.visitors > 0 ? t.positive / t.visitors : 0,
});

/**
 * The operator read models in memory (the embedded default): a visitor's record replaces their previous
 * one, and item totals move by the difference, so they always equal the sum over visitors. Bounded: at
 * most `maxVisitors`, the least recently active dropped with their item activity.
 */
export class InMemoryActivityStore implements ActivityStore {
  /** Visitors, in order of recording (the least recently active first). */
  readonly #visitors = new LruMap<
    string,
    { visitor: VisitorActivity; items: Map<string, VisitorItemActivity> }
  >();
  readonly #items = new Map<string, Totals>();
  readonly #max: number;

  /** @param options - `maxVisitors` (default 100,000) */
  constructor(options: { readonly maxVisitors?: number } = {}) {
    this.#max = options.maxVisitors ?? 100_000;
  }

  #apply(id: string, before: VisitorItemActivity | undefined, after: VisitorItemActivity | undefined): void {
    const t = this.#items.get(id) ?? { views: 0, visitors: 0, dwellSum: 0, dwellN: 0, positive: 0 };
    if (before) add(t, before, -1);
    if (after) add(t, after, 1);
    if (t.visitors <= 0) this.#items.delete(id);
    else this.#items.set(id, t);
  }

  async record(visitor: VisitorActivity, items: readonly VisitorItemActivity[]): Promise<void> {
    const previous = this.#visitors.peek(visitor.user_id);
    const next = new Map(previous?.items ?? []);
    for (const item of items) {
      this.#apply(item.id, next.get(item.id), item);
      next.set(item.id, { ...item });
    }
    this.#visitors.set(visitor.user_id, { visitor: { ...visitor }, items: next });
    while (this.#visitors.size > this.#max) {
      const [, entry] = this.#visitors.shift()!;
      for (const [id, item] of entry.items) this.#apply(id, item, undefined);
    }
  }

  async visitors(limit: number): Promise<VisitorActivity[]> {
    return this.#visitors
      .values()
      .map((entry) => entry.visitor)
      .sort((a, b) =>
        (a.last_interaction ?? "") < (b.last_interaction ?? "")
          ? 1
          : a.last_interaction === b.last_interaction
            ? 0
            : -1,
      )
      .slice(0, limit)
      .map((v) => ({ ...v }));
  }

  async visitorCount(): Promise<number> {
    return this.#visitors.size;
  }

  async items(limit: number): Promise<ItemActivity[]> {
    return [...this.#items]
      .map(([id, t]) => activity(id, t))
      .sort((a, b) => b.views - a.views || b.visitors - a.visitors || (a.content_id < b.content_id ? -1 : 1))
      .slice(0, limit);
  }

  async item(id: string): Promise<ItemActivity | null> {
    const t = this.#items.get(id);
    return t ? activity(id, t) : null;
  }

  async ping(): Promise<void> {}
}
