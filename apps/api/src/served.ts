import { impressionsOf, toRecommendationItems } from "@recsys/core";
import type { Recommendation, RecommendationItem, ServedEntry } from "@recsys/ports";
import type { Components } from "./components.js";
import type { Logger } from "./logger.js";

/**
 * Records what was served, off the request's path: the served-log entry and the impressions that wait for
 * their reward are written after the answer is built, without the answer waiting for them; `flush` waits
 * for every write still in flight (the app calls it on a graceful stop, so nothing is lost).
 */
export class ServedRecorder {
  readonly #log: Logger;
  readonly #pending = new Set<Promise<unknown>>();

  /** @param log - where a failed write is reported */
  constructor(log: Logger) {
    this.#log = log;
  }

  /**
   * Record a served list.
   * @param components - the tenant's served log, feedback store and event log
   * @param rec - the recommendation
   * @param items - its items as answered
   * @param requestId - the answer's request id
   * @param now - the server time
   * @param options - `impressions: false` logs the list without impressions (a preview is not rewarded)
   */
  record(
    components: Components,
    rec: Recommendation,
    items: readonly RecommendationItem[],
    requestId: string,
    now: number,
    options: { readonly impressions?: boolean } = {},
  ): void {
    const { servedLog, feedback, eventLog } = components;
    const entry: ServedEntry = {
      request_id: requestId,
      user_id: rec.user_id,
      ts: new Date(now).toISOString(),
      strategy: rec.strategy,
      ranking: rec.diagnostics.ranking ?? "static",
      policy_version: rec.diagnostics.ranking_version ?? 0,
      settings_version:
        rec.diagnostics.settings_version === undefined ? null : String(rec.diagnostics.settings_version),
      variant: rec.diagnostics.variant ?? null,
      filter: rec.diagnostics.filter,
      items: items.map(({ id, rank, role, relevance_score, breakdown, features }) => ({
        id,
        rank,
        role,
        relevance_score,
        breakdown,
        features,
      })),
    };
    this.#track(servedLog.append(entry), "served log");
    if (eventLog) this.#track(eventLog.appendServed(entry), "event log");
    if (options.impressions ?? true)
      this.#track(feedback.putImpressions(requestId, impressionsOf(rec, entry.variant)), "impressions");
  }

  /**
   * The answer of a recommendation (the wire items, with content unless left out), recorded.
   * @param components - the tenant's stores the list is recorded in
   * @param rec - the recommendation, settings version included
   * @param options - the request id, content on or off, the filter, the server time, and whether the
   *   items are impressions awaiting a reward (not for a preview)
   */
  answer(
    components: Components,
    rec: Recommendation,
    options: {
      readonly requestId: string;
      readonly includeContent: boolean;
      readonly filter: string | null;
      readonly now: number;
      readonly impressions?: boolean;
      /** False: answer without recording anything (an operator's look-up). */
      readonly record?: boolean;
    },
  ) {
    const items = toRecommendationItems(rec, { includeContent: options.includeContent });
    if (options.record ?? true)
      this.record(components, rec, items, options.requestId, options.now, {
        impressions: options.impressions ?? true,
      });
    return {
      user_id: rec.user_id,
      request_id: options.requestId,
      strategy: rec.strategy,
      items,
      diagnostics: rec.diagnostics,
      filter: options.filter,
    };
  }

  #track(write: Promise<unknown>, what: string): void {
    const tracked = write.catch((error: unknown) =>
      this.#log({ level: "warn", msg: `could not record the ${what}`, error: String(error) }),
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Wait for every write in flight. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
