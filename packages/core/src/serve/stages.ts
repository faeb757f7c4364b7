import {
  type ContentHit,
  type ContentQuery,
  type ContentStore,
  freezeSet,
  isCold,
  type RecConfig,
  type Recommendation,
  type RecommendationDiagnostics,
  type ScoredCandidate,
  type UserSignals,
} from "@recsys/ports";
import { fuserFor } from "../fusion.js";
import { onceForFrozen } from "../memo.js";
import { mmrRerank } from "../mmr.js";
import { pickOne, type RandomSource } from "../random.js";
import { contentTagWeights, type LikedItem, prepareWeights } from "../scorers.js";
import { normalizeKey } from "../taxonomy.js";
import { unitOfFixed } from "../vectors.js";
import { vectorScoresOf } from "./built-in-scorers.js";
import { DISTRACTOR_STRATEGIES_TABLE, distractorStrategyName, scoreDistractor } from "./distractor.js";
import { likedForReasons, reasonFor } from "./reasons.js";
import type {
  CandidateSource,
  GeoPoint,
  RankingPolicy,
  ScoreContext,
  ScoredItem,
  Scorer,
  ServeState,
  Slot,
} from "./types.js";

// The serve path, stage by stage (docs/behaviour.md, "Serve path"):
//   startRequest → planQueries → collectCandidates → scoreCandidates → rankCandidates → rerank →
//   placeDistractor → diagnose.
// Every stage is a function of the request state; `Recommender.recommendForSignals` calls them in order.

const EMPTY: ContentHit[] = [];

/** The request as the stages take it: validated options in typed form. */
export interface ServeRequest {
  /** The user model. */
  readonly signals: UserSignals;
  /** The settings. */
  readonly cfg: RecConfig;
  /** The randomness of this request. */
  readonly random: RandomSource;
  /** Filter value, or null. */
  readonly filter: string | null;
  /** Reference point, or null. */
  readonly near: GeoPoint | null;
  /** Geo radius in metres (restricts only with `near`), or null. */
  readonly radius: number | null;
}

/**
 * The strongest `k` affinity keys, normalised, with their weights (first occurrence wins).
 * @param affinity - lower-cased key → weight
 * @param k - how many keys
 */
function topAffinityKeys(affinity: Readonly<Record<string, number>>, k: number): Map<string, number> {
  const sorted = Object.entries(affinity)
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry[1] - a.entry[1] || a.index - b.index)
    .slice(0, k);
  const out = new Map<string, number>();
  for (const { entry } of sorted) {
    const key = normalizeKey(entry[0]);
    if (!out.has(key)) out.set(key, entry[1]);
  }
  return out;
}

const topKeysOf = new WeakMap<object, { k: number; keys: ReadonlyMap<string, number> }>();

/**
 * The strongest `k` affinity keys, once per frozen model (stores hand out frozen models).
 * @param affinity - lower-cased key → weight
 * @param k - how many keys
 */
function strongestKeys(affinity: Readonly<Record<string, number>>, k: number): ReadonlyMap<string, number> {
  const known = onceForFrozen(topKeysOf, affinity, () => ({ k, keys: topAffinityKeys(affinity, k) }));
  return known.k === k ? known.keys : topAffinityKeys(affinity, k);
}

const seenOf = new WeakMap<object, ReadonlySet<string>>();

/**
 * Items the user has seen (positives, negatives, viewed), frozen (`freezeSet`), once per frozen model: a
 * store may keep a query's answer beside a frozen model's set.
 * @param signals - the user model
 */
function seenItems(signals: UserSignals): ReadonlySet<string> {
  return onceForFrozen(seenOf, signals, () =>
    freezeSet(
      new Set([...Object.keys(signals.positives), ...Object.keys(signals.negatives), ...signals.viewed]),
    ),
  );
}

const weightsOfKeys = new WeakMap<ReadonlyMap<string, number>, Readonly<Record<string, number>>>();

/**
 * The tag query's weights of a request's strongest keys: one frozen object per key map (a frozen model's
 * key map is kept, so a store may keep the tag query's answer beside its weights).
 * @param topKeys - the strongest affinity keys
 */
function tagQueryWeights(topKeys: ReadonlyMap<string, number>): Readonly<Record<string, number>> {
  let weights = weightsOfKeys.get(topKeys);
  if (!weights) {
    weights = Object.freeze(Object.fromEntries(topKeys));
    weightsOfKeys.set(topKeys, weights);
  }
  return weights;
}

const likedOf = new WeakMap<object, readonly (readonly [string, number])[]>();

/**
 * Stage 0: the request state: seen items, whether it is constrained, whether a distractor is injected
 * (one random draw), cold or warm by `cold_start_min_positives`.
 * @param request - the validated request
 */
export function startRequest(request: ServeRequest): ServeState {
  const { signals, cfg, random, filter, near } = request;
  const radius = near && request.radius !== null ? request.radius : null;
  const constrained = filter !== null || radius !== null;
  const inject =
    cfg.distractor_enabled && (cfg.distractor_probability >= 1 || random() < cfg.distractor_probability);
  return {
    cfg,
    signals,
    random,
    filter,
    near,
    radius,
    constrained,
    inject,
    seen: seenItems(signals),
    taste: signals.taste_vector && signals.taste_vector.length > 0 ? signals.taste_vector : null,
    topKeys: strongestKeys(signals.tag_affinity, cfg.affinity_top_k),
    liked: onceForFrozen(likedOf, signals.positives, () =>
      Object.entries(signals.positives).filter(([, weight]) => weight > 0),
    ),
    generators: constrained
      ? [...(filter !== null ? ["filter"] : []), ...(radius !== null ? ["geo"] : [])]
      : ["semantic", "tag"],
    strategy: isCold(signals, cfg.cold_start_min_positives) ? "cold" : "warm",
    queries: [],
    slots: new Map(),
    results: [],
    candidates: new Map(),
    coldFallback: false,
    seenFallback: false,
    scoreContext: null,
    scored: [],
    ranking: "static",
    rankingVersion: undefined,
    ranked: [],
    items: [],
    distractor: undefined,
  };
}

function add(state: ServeState, slot: Slot, query: ContentQuery): void {
  state.slots.set(slot, state.queries.push(query) - 1);
}

function hitsOf(state: ServeState, slot: Slot): readonly ContentHit[] {
  const index = state.slots.get(slot);
  return index === undefined ? EMPTY : (state.results[index] ?? EMPTY);
}

function constrainedQuery(state: ServeState, exclude: ReadonlySet<string> | undefined): ContentQuery {
  const { filter, near, radius } = state;
  return {
    kind: "filter",
    value: filter ?? undefined,
    geo: radius !== null && near ? { lat: near.lat, lon: near.lon, radiusM: radius } : undefined,
    limit: state.cfg.pool_per_generator,
    exclude,
  };
}

/** How many sampled items a distractor drawn from the sample needs. */
const distractorSampleSize = (state: ServeState) => state.cfg.final_limit + 1;

/**
 * Stage 1: plan every content-store query of the request into one batch: the constrained set, or
 * semantic and tag recall (plus a cold-start sample when there is no taste vector), the distractor
 * strategy's queries, custom candidate sources, and the liked items' vectors.
 * @param state - the request
 * @param sources - custom candidate sources
 */
export function planQueries(state: ServeState, sources: readonly CandidateSource[] = []): void {
  const { cfg, seen, taste, topKeys, liked } = state;
  const pool = cfg.pool_per_generator;
  if (state.constrained) {
    add(state, "constrained", constrainedQuery(state, seen));
  } else {
    if (taste) add(state, "semantic", { kind: "vector", vector: taste, limit: pool, exclude: seen });
    if (topKeys.size > 0) {
      add(state, "tags", { kind: "tags", weights: tagQueryWeights(topKeys), limit: pool, exclude: seen });
    }
    const strategy = state.inject ? DISTRACTOR_STRATEGIES_TABLE[cfg.distractor_strategy] : undefined;
    const sampleUpfront = strategy?.sampleUpfront(state) ?? false;
    // A user without a taste vector may have an empty recall: sample in the same round trip.
    if (!taste) {
      const limit = Math.max(pool, sampleUpfront ? distractorSampleSize(state) : 0);
      add(state, "sample", { kind: "sample", limit, exclude: seen });
    } else if (sampleUpfront) {
      add(state, "distractorSample", { kind: "sample", limit: distractorSampleSize(state), exclude: seen });
    }
    strategy?.queries(state).forEach((query, i) => {
      add(state, `distractor:${i}`, query);
    });
    for (const source of sources) {
      const query = source.query(state);
      if (query) {
        add(state, `source:${source.name}`, query);
        state.generators.push(source.name);
      }
    }
  }
  if (liked.length > 0) add(state, "liked", { kind: "ids", ids: liked.map(([id]) => id) });
}

/**
 * Stage 2: run the batch (one round trip) and collect the pool: the constrained set, re-showing seen
 * items when it is exhausted and `filter_reshow_when_exhausted` is on; or semantic, tag and custom recall,
 * falling back to the cold-start sample (a second round trip only when the batch had none).
 * @param state - the request
 * @param store - the content store
 * @param sources - custom candidate sources (their hits join after the built-in recall)
 */
export async function collectCandidates(
  state: ServeState,
  store: ContentStore,
  sources: readonly CandidateSource[] = [],
): Promise<void> {
  const { cfg, seen, candidates } = state;
  const pool = cfg.pool_per_generator;
  state.results = state.queries.length > 0 ? await store.query(state.queries) : [];
  if (state.constrained) {
    for (const hit of hitsOf(state, "constrained")) if (!seen.has(hit.id)) candidates.set(hit.id, hit);
    if (candidates.size === 0 && cfg.filter_reshow_when_exhausted) {
      const [reshown] = await store.query([constrainedQuery(state, undefined)]);
      for (const hit of reshown ?? EMPTY) candidates.set(hit.id, hit);
      state.seenFallback = candidates.size > 0;
    }
    return;
  }
  const recalled = [
    ...hitsOf(state, "semantic"),
    ...hitsOf(state, "tags"),
    ...sources.flatMap((source) => hitsOf(state, `source:${source.name}`)),
  ];
  for (const hit of recalled) if (!seen.has(hit.id) && !candidates.has(hit.id)) candidates.set(hit.id, hit);
  if (candidates.size > 0) return;
  state.coldFallback = true;
  state.strategy = "cold";
  if (!state.slots.has("sample")) {
    const strategy = state.inject ? DISTRACTOR_STRATEGIES_TABLE[cfg.distractor_strategy] : undefined;
    const limit = Math.max(pool, strategy?.usesSample ? distractorSampleSize(state) : 0);
    const [sampled] = await store.query([{ kind: "sample", limit, exclude: seen }]);
    state.slots.set("sample", state.results.push(sampled ?? EMPTY) - 1);
  }
  for (const hit of hitsOf(state, "sample").slice(0, pool))
    if (!seen.has(hit.id)) candidates.set(hit.id, hit);
}

/**
 * Stage 3: score every candidate with every active scorer and fuse the weighted scores; the breakdown
 * holds each scorer's weighted value, the feature vector the six built-in scores.
 * @param state - the request
 * @param scorers - built-in and custom scorers
 */
export function scoreCandidates(state: ServeState, scorers: readonly Scorer[]): void {
  const { cfg, signals, liked } = state;
  const likedItems: LikedItem[] = [];
  const maxPositive = Math.max(0, ...liked.map(([, w]) => w));
  const likedVectors = new Map(hitsOf(state, "liked").map((hit) => [hit.id, hit.vector]));
  for (const [id, weight] of liked) {
    const vector = likedVectors.get(id);
    if (vector && vector.length > 0) likedItems.push({ vector, weight: weight / maxPositive });
  }
  const context: ScoreContext = {
    cfg,
    signals,
    taste: state.taste,
    recency: signals.recency_vector && signals.recency_vector.length > 0 ? signals.recency_vector : null,
    liked: likedItems,
    affinity: prepareWeights(signals.tag_affinity),
    aversion: prepareWeights(signals.tag_aversion),
    near: state.near,
  };
  state.scoreContext = context;
  const active = scorers.filter((scorer) => scorer.active?.(context) ?? true);
  const weights: Record<string, number> = {};
  for (const scorer of active) {
    weights[scorer.name] = typeof scorer.weight === "number" ? scorer.weight : scorer.weight(cfg);
  }
  const fuse = fuserFor(
    active.map((scorer) => scorer.name),
    weights,
  );
  const hits = [...state.candidates.values()];
  const vectorScores = vectorScoresOf(
    hits.map((hit) => hit.vector),
    context,
  );
  state.scored = hits.map((hit, index): ScoredItem => {
    const candidate = {
      id: hit.id,
      content: hit.content,
      vector: hit.vector,
      tags: hit.content ? contentTagWeights(hit.content) : null,
      vectorScores: vectorScores[index]!,
    };
    const scores = new Array<number>(active.length);
    for (let k = 0; k < active.length; k++) scores[k] = active[k]!.score(candidate, context);
    const fused = fuse(scores);
    return {
      content_id: hit.id,
      final_score: fused.finalScore,
      breakdown: fused.breakdown,
      features: fused.features,
      content: hit.content,
      kind: "recommendation",
      unit: hit.vector && hit.vector.length > 0 ? unitOfFixed(hit.vector) : null,
    };
  });
}

/**
 * Stage 4: the ranking policy sets each item's relevance (`final_score`); the breakdown stays.
 * @param state - the request
 * @param policy - the ranking policy
 */
export function rankCandidates(state: ServeState, policy: RankingPolicy): void {
  state.ranking = policy.name;
  state.rankingVersion = policy.version?.();
  const relevance = policy.rank(state.scored, state.scoreContext!);
  state.scored = state.scored.map((item, i) =>
    relevance[i] === item.final_score ? item : { ...item, final_score: relevance[i]! },
  );
}

/**
 * Stage 5: maximal marginal relevance picks the list (one slot short when a distractor is injected).
 * @param state - the request
 */
export function rerank(state: ServeState): void {
  const { cfg, scored } = state;
  const limit = Math.max(cfg.final_limit - (state.inject ? 1 : 0), 1);
  state.ranked = mmrRerank(
    scored.map((s) => ({ score: s.final_score, vector: s.unit })),
    limit,
    cfg.mmr_lambda,
  ).map((index) => scored[index]!);
  state.items = state.ranked.map(({ unit: _unit, ...item }) => item);
}

/**
 * Stage 6: choose the distractor with the request's strategy and place it at a random configured slot.
 * @param state - the request
 * @param store - the content store (one more round trip only when a sample is needed and none was fetched)
 */
export async function placeDistractor(state: ServeState, store: ContentStore): Promise<void> {
  if (!state.inject) return;
  const name = distractorStrategyName(state);
  const strategy = DISTRACTOR_STRATEGIES_TABLE[name]!;
  const rankedIds = new Set(state.ranked.map((s) => s.content_id));
  const usable = (hit: ContentHit) => !state.seen.has(hit.id) && !rankedIds.has(hit.id);
  const own: (readonly ContentHit[])[] = [];
  for (let i = 0; state.slots.has(`distractor:${i}`); i++) own.push(hitsOf(state, `distractor:${i}`));
  let chosen: ScoredCandidate | null = strategy.choose({ state, own, usable });
  if (!chosen && strategy.usesSample) {
    let hit = [...hitsOf(state, "distractorSample"), ...hitsOf(state, "sample")].find(usable);
    if (!hit && !state.slots.has("sample") && !state.slots.has("distractorSample")) {
      // Second (and last) round trip: the strategy's own queries found nothing usable.
      const excluded = new Set([...state.seen, ...rankedIds]);
      const [sampled] = await store.query([{ kind: "sample", limit: 1, exclude: excluded }]);
      hit = (sampled ?? EMPTY).find(usable);
    }
    if (hit) chosen = scoreDistractor(hit, state);
  }
  if (chosen) {
    const slot = Math.min(pickOne(state.cfg.distractor_slots, state.random), state.items.length + 1);
    state.items = [...state.items.slice(0, slot - 1), chosen, ...state.items.slice(slot - 1)];
    state.distractor = { content_id: chosen.content_id, strategy: name, slot };
  } else {
    state.distractor = {
      placed: false,
      reason: state.constrained ? "filtered_set_exhausted" : "no_candidate",
    };
  }
}

/**
 * Stage 7: the recommendation with its diagnostics, truncated to `limit`, each item with a reason a person
 * can read.
 * @param state - the request
 * @param limit - truncate the final list (after the distractor is placed), or null
 */
export function diagnose(state: ServeState, limit: number | null): Recommendation {
  const { signals, strategy, filter } = state;
  if (state.candidates.size === 0) {
    return {
      user_id: signals.user_id,
      items: [],
      strategy,
      diagnostics: {
        reason: state.constrained ? "empty_filter" : "no_content",
        filter,
        generators: state.generators,
        pool_size: 0,
      },
    };
  }
  const diagnostics: RecommendationDiagnostics = {
    pool_size: state.candidates.size,
    scored: state.scored.length,
    generators: state.generators,
    cold_start_fallback: state.coldFallback,
    seen_fallback: state.seenFallback,
    filter,
    geo: state.near !== null,
    ranking: state.ranking,
    ...(state.rankingVersion !== undefined ? { ranking_version: state.rankingVersion } : {}),
    ...(state.distractor ? { distractor: state.distractor } : {}),
  };
  const liked = likedForReasons(
    state,
    new Map(hitsOf(state, "liked").flatMap((hit) => (hit.content ? [[hit.id, hit.content] as const] : []))),
  );
  const truncated = limit !== null ? state.items.slice(0, limit) : state.items;
  const items = truncated.map((item) => ({ ...item, reason: reasonFor(item, state, liked) }));
  return { user_id: signals.user_id, items, strategy, diagnostics };
}
