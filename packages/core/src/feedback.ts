import type {
  Content,
  ContentStore,
  FeedbackStore,
  Impression,
  InteractionEvent,
  PolicySums,
  RecConfig,
  Recommendation,
} from "@recsys/ports";
import { engagementStrength, estimateReadingSeconds } from "./engagement.js";
import { emptyPolicySums, linUcbPolicy, type Observation, policySumsOf } from "./linucb.js";
import type { RankingPolicy } from "./serve/types.js";

/** A served item's view that echoed the list's request id: its reward (docs/behaviour.md §6.12). */
export interface Reward extends Observation {
  /** The served list. */
  readonly request_id: string;
  /** The item viewed. */
  readonly content_id: string;
  /** The viewer. */
  readonly user_id: string;
  /** The impression rewarded: the item's rank and how its list was made. */
  readonly impression: Impression;
}

/**
 * The impressions of a served list: each target item by id, with its feature vector, rank and how the list
 * was made (distractors and items without features are left out: they are not rewarded).
 * @param rec - the recommendation as served
 * @param variant - the user's experiment variant, or null
 */
export function impressionsOf(
  rec: Pick<Recommendation, "items" | "strategy" | "diagnostics">,
  variant: string | null = null,
): Record<string, Impression> {
  const out: Record<string, Impression> = {};
  rec.items.forEach((item, index) => {
    if (item.kind !== "recommendation" || item.features.length === 0) return;
    out[item.content_id] = {
      features: [...item.features],
      rank: index + 1,
      strategy: rec.strategy,
      ranking: rec.diagnostics.ranking ?? "static",
      variant,
    };
  });
  return out;
}

/**
 * Attribute rewards: every `CONTENT_VIEW_ENDED` that echoes a `request_id` for an item of that served list
 * takes the item's impression (at most once, whatever re-deliveries or replicas do) and earns the
 * engagement strength of that view: its dwell against the item's reading-time estimate, its end reason,
 * one visit, no rating (the reference's rule). One content-store round trip, only when an impression
 * matched.
 * @param events - ingested events
 * @param feedback - where impressions are
 * @param contentStore - for the items' reading-time estimates
 * @param cfg - engagement weights, reading speed
 */
export async function attributeRewards(
  events: readonly InteractionEvent[],
  feedback: FeedbackStore,
  contentStore: ContentStore,
  cfg: RecConfig,
): Promise<Reward[]> {
  const candidates = events.filter(
    (e) => e.event === "CONTENT_VIEW_ENDED" && e.request_id !== null && e.content_id !== null,
  );
  if (candidates.length === 0) return [];
  const taken = await Promise.all(
    candidates.map((e) => feedback.consumeImpression(e.request_id!, e.content_id!)),
  );
  const matched = candidates.flatMap((event, i) => (taken[i] ? [{ event, impression: taken[i]! }] : []));
  if (matched.length === 0) return [];
  const contents = new Map<string, Content>();
  const [hits = []] = await contentStore.query([
    { kind: "ids", ids: [...new Set(matched.map((m) => m.event.content_id!))] },
  ]);
  for (const hit of hits) if (hit.content) contents.set(hit.id, hit.content);
  return matched.map(({ event, impression }) => ({
    request_id: event.request_id!,
    content_id: event.content_id!,
    user_id: event.user_id,
    impression,
    x: impression.features,
    reward: engagementStrength(
      {
        dwellSeconds: event.dwell_seconds,
        estimateSeconds: estimateReadingSeconds(contents.get(event.content_id!), cfg),
        endReason: event.end_reason,
        visits: 1,
        rating: null,
      },
      cfg,
    ),
  }));
}

/**
 * Learn from rewards: with `bandit_online`, the rewards of lists the bandit ranked (`ranking_mode=bandit`,
 * or an experiment variant that selects it) are added to the shared policy state (one atomic, commutative
 * addition).
 * @param rewards - attributed rewards
 * @param feedback - the shared policy state
 * @param cfg - `bandit_online`
 * @returns the number of policy updates made
 */
export async function learnFromRewards(
  rewards: readonly Reward[],
  feedback: FeedbackStore,
  cfg: Pick<RecConfig, "bandit_online">,
): Promise<number> {
  const learned = rewards.filter((reward) => reward.impression.ranking === "bandit");
  if (learned.length === 0 || !cfg.bandit_online) return 0;
  await feedback.addToPolicy(policySumsOf(learned));
  return learned.length;
}

/**
 * The `bandit` ranking policy over a shared {@link FeedbackStore}: it ranks with the sums it last read
 * (`refresh`), so a request never waits for the store; refresh it periodically (every replica then sees
 * every other's learning within the period) and after learning.
 *
 * @example
 * const shared = new SharedPolicy(feedbackStore);
 * await shared.refresh();
 * const recommender = new Recommender({ contentStore, modelStore, cfg, rankingPolicies: { bandit: shared.policy } });
 */
export class SharedPolicy {
  readonly #feedback: FeedbackStore;
  #sums: PolicySums = emptyPolicySums();
  /** The ranking policy (named `bandit`), ranking with the latest sums read. */
  readonly policy: RankingPolicy & { readonly version: () => number };

  /** @param feedback - where the learned sums are */
  constructor(feedback: FeedbackStore) {
    this.#feedback = feedback;
    this.policy = linUcbPolicy(() => this.#sums);
  }

  /** The sums the policy ranks with now. */
  get sums(): PolicySums {
    return this.#sums;
  }

  /** Read the latest sums from the store. */
  async refresh(): Promise<PolicySums> {
    this.#sums = await this.#feedback.policySums();
    return this.#sums;
  }
}
