import type { ContentHit, ContentQuery, ScoredCandidate } from "@recsys/ports";
import { weightedFuse } from "../fusion.js";
import { onceForFrozen } from "../memo.js";
import { contentTagWeights, semanticScore, tagScore } from "../scorers.js";
import type { ServeState } from "./types.js";

/** What a distractor strategy sees when it chooses. */
export interface DistractorChoice {
  /** The request state (scored pool, ranked list, results). */
  readonly state: ServeState;
  /** The answers to the strategy's own queries, in the order it asked. */
  readonly own: readonly (readonly ContentHit[])[];
  /** Whether an item may be the distractor: not seen and not already in the list. */
  readonly usable: (hit: ContentHit) => boolean;
}

/**
 * One way of choosing the off-profile distractor (docs/behaviour.md, "Distractor"). Its queries join the
 * request's single batch; when it finds nothing and it `usesSample`, the request's random sample is used,
 * fetched with one more round trip only when the batch had none.
 */
export interface DistractorStrategy {
  /**
   * Queries this strategy adds to the batch.
   * @param state - the request being planned
   */
  queries(state: ServeState): ContentQuery[];
  /** Whether it falls back to the random sample. */
  readonly usesSample: boolean;
  /**
   * Whether the sample must be in the first batch (because the strategy's own queries cannot find one).
   * @param state - the request being planned
   */
  sampleUpfront(state: ServeState): boolean;
  /**
   * Choose the distractor: a scored candidate, or null to fall back.
   * @param choice - state, own answers, usability test
   */
  choose(choice: DistractorChoice): ScoredCandidate | null;
}

/**
 * Score a distractor drawn from outside the pool: semantic and tag only, no feature vector.
 * @param hit - the item
 * @param state - the request (its scoring context)
 */
export function scoreDistractor(hit: ContentHit, state: ServeState): ScoredCandidate {
  const context = state.scoreContext!;
  const tags = hit.content ? contentTagWeights(hit.content) : null;
  const fused = weightedFuse(
    { semantic: semanticScore(context.taste, hit.vector), tag: tagScore(tags, context.affinity) },
    context.cfg.fusion,
  );
  return {
    content_id: hit.id,
    final_score: fused.finalScore,
    breakdown: fused.breakdown,
    features: [],
    content: hit.content,
    kind: "distractor",
  };
}

/** The hit with the fewest tag keys among the user's affinity keys (first on ties). */
function leastFamiliar(
  hits: readonly ContentHit[],
  affinity: Readonly<Record<string, number>>,
): ContentHit | undefined {
  let best: ContentHit | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  const keys = Object.keys(affinity);
  for (const hit of hits) {
    const own = new Set((hit.content?.tags ?? []).map((t) => `${t.facet}:${t.label}`.toLowerCase()));
    let count = 0;
    for (const key of keys) if (own.has(key)) count += 1;
    if (count < bestCount) {
      best = hit;
      bestCount = count;
    }
  }
  return best;
}

const negatives = new WeakMap<object, readonly number[]>();

/**
 * The negated taste vector: once per frozen taste (a frozen model's), frozen itself, so a store may keep
 * the query's answer beside it.
 * @param taste - the taste vector
 */
function negated(taste: readonly number[]): readonly number[] {
  return onceForFrozen(negatives, taste, () => Object.freeze(taste.map((x) => -x)));
}

const scored = (hit: ContentHit | undefined, state: ServeState) => (hit ? scoreDistractor(hit, state) : null);

/** How many items of the unexplored-theme sample are compared. */
const UNEXPLORED_SAMPLE = 20;

/**
 * The distractor strategies, one entry each: `max_dissimilar` (nearest to the negated taste vector),
 * `unexplored_theme` (the sampled item sharing the fewest tags with the user's affinities), `random` (a
 * random unseen item), and `within_constraint` (used whenever a filter or radius restricts: the
 * lowest-scored candidate of the restricted pool that did not make the list).
 */
export const DISTRACTOR_STRATEGIES_TABLE: Readonly<Record<string, DistractorStrategy>> = {
  max_dissimilar: {
    queries: (state) =>
      state.taste
        ? [
            {
              kind: "vector",
              vector: negated(state.taste),
              limit: state.cfg.pool_per_generator + state.cfg.final_limit,
              exclude: state.seen,
              // An item far from the taste, not the very farthest: an approximate index may search less.
              precision: "low",
            },
          ]
        : [],
    usesSample: true,
    sampleUpfront: (state) => !state.taste,
    choose: ({ state, own, usable }) => scored(own[0]?.find(usable), state),
  },
  unexplored_theme: {
    queries: (state) => [
      { kind: "sample", limit: UNEXPLORED_SAMPLE + state.cfg.final_limit, exclude: state.seen },
    ],
    usesSample: false,
    sampleUpfront: () => false,
    choose: ({ state, own, usable }) =>
      scored(
        leastFamiliar((own[0] ?? []).filter(usable).slice(0, UNEXPLORED_SAMPLE), state.signals.tag_affinity),
        state,
      ),
  },
  random: {
    queries: () => [],
    usesSample: true,
    sampleUpfront: () => true,
    choose: () => null,
  },
  within_constraint: {
    queries: () => [],
    usesSample: false,
    sampleUpfront: () => false,
    choose: ({ state }) => {
      const rankedIds = new Set(state.ranked.map((s) => s.content_id));
      let lowest: (typeof state.scored)[number] | null = null;
      for (const s of state.scored) {
        if (!rankedIds.has(s.content_id) && (lowest === null || s.final_score < lowest.final_score))
          lowest = s;
      }
      if (!lowest) return null;
      const { unit: _unit, ...rest } = lowest;
      return { ...rest, kind: "distractor" };
    },
  },
};

/**
 * The strategy a request uses: `within_constraint` when constrained, else the configured one.
 * @param state - the request
 */
export function distractorStrategyName(state: Pick<ServeState, "constrained" | "cfg">): string {
  return state.constrained ? "within_constraint" : state.cfg.distractor_strategy;
}
