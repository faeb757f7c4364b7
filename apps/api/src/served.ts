import { impressionsOf, toRecommendationItems } from "@recsys/core";
import type { Recommendation, RecommendationItem, ServedEntry } from "@recsys/ports";
import {
  impressionTexts,
  recommendBody,
  type ScoreTexts,
  scoreTextsOf,
  servedEntryText,
} from "./answer-json.js";
import type { Components } from "./components.js";
import type { Logger } from "./logger.js";

/**
 * A served list's items as the served log keeps them: each answered item's id, rank, role, relevance,
 * breakdown and features (no reason, no content).
 * @param items - the wire items answered
 */
export function servedItems(items: readonly RecommendationItem[]): ServedEntry["items"] {
  return items.map(({ id, rank, role, relevance_score, breakdown, features }) => ({
    id,
    rank,
    role,
    relevance_score,
    breakdown,
    features,
  }));
}

/** How a recommendation is answered and recorded. */
export interface AnswerOptions {
  readonly requestId: string;
  readonly includeContent: boolean;
  readonly filter: string | null;
  readonly now: number;
  /** False: the items are not impressions awaiting a reward (a preview). */
  readonly impressions?: boolean;
  /** False: answer without recording anything (an operator's look-up). */
  readonly record?: boolean;
}

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
   * @param options - `impressions: false` logs the list without impressions (a preview is not rewarded);
   *   `scores`: the items' score texts (`scoreTextsOf(items)`), when made already: the entry's and the
   *   impressions' texts are then made from them and handed to the stores, so each score becomes text once
   */
  record(
    components: Components,
    rec: Recommendation,
    items: readonly RecommendationItem[],
    requestId: string,
    now: number,
    options: { readonly impressions?: boolean; readonly scores?: readonly ScoreTexts[] } = {},
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
      items: servedItems(items),
    };
    const { scores } = options;
    const text = scores ? servedEntryText(entry, scores) : undefined;
    this.#track(servedLog.append(entry, text), "served log");
    if (eventLog) this.#track(eventLog.appendServed(entry, text), "event log");
    if (options.impressions ?? true) {
      const impressions = impressionsOf(rec, entry.variant);
      const texts = scores ? impressionTexts(impressions, items, scores) : undefined;
      this.#track(feedback.putImpressions(requestId, impressions, texts), "impressions");
    }
  }

  /**
   * The answer of a recommendation (the wire items, with content unless left out), recorded.
   * @param components - the tenant's stores the list is recorded in
   * @param rec - the recommendation, settings version included
   * @param options - the request id, content on or off, the filter, the server time, and whether the
   *   items are impressions awaiting a reward (not for a preview)
   */
  answer(components: Components, rec: Recommendation, options: AnswerOptions) {
    return this.#answer(components, rec, options).result;
  }

  /**
   * The recommend route's body (`JSON.stringify({ result })` of {@link ServedRecorder.answer}'s result),
   * recorded the same way; each item's scores become text once for the body, the served log and the
   * impressions.
   * @param components - the tenant's stores the list is recorded in
   * @param rec - the recommendation, settings version included
   * @param options - as {@link ServedRecorder.answer}'s
   */
  answerBody(components: Components, rec: Recommendation, options: AnswerOptions): string {
    const { result, scores } = this.#answer(components, rec, options);
    return recommendBody(result, scores);
  }

  #answer(components: Components, rec: Recommendation, options: AnswerOptions) {
    const items = toRecommendationItems(rec, { includeContent: options.includeContent });
    const scores = scoreTextsOf(items);
    if (options.record ?? true)
      this.record(components, rec, items, options.requestId, options.now, {
        impressions: options.impressions ?? true,
        scores,
      });
    const result = {
      user_id: rec.user_id,
      request_id: options.requestId,
      strategy: rec.strategy,
      items,
      diagnostics: rec.diagnostics,
      filter: options.filter,
    };
    return { result, scores };
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
