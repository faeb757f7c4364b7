import {
  type ContentHit,
  type ContentQuery,
  type ContentStore,
  type DistractorDiagnostics,
  emptyUserSignals,
  InvalidArgumentError,
  isCold,
  type RecConfig,
  type Recommendation,
  type RecommendationDiagnostics,
  type ScoredCandidate,
  type UserModelStore,
  type UserSignals,
} from "@recsys/ports";
import { weightedFuse } from "./fusion.js";
import { mmrRerank } from "./mmr.js";
import { pickOne, type RandomSource } from "./random.js";
import {
  affinityScore,
  contentTagWeights,
  geoScore,
  type LikedItem,
  type PreparedWeights,
  prepareWeights,
  recencyScore,
  semanticScore,
  tagScore,
} from "./scorers.js";
import { normalizeKey } from "./taxonomy.js";
import { normalized } from "./vectors.js";

/** A point on the map. */
export interface GeoPoint {
  /** Latitude in degrees. */
  readonly lat: number;
  /** Longitude in degrees. */
  readonly lon: number;
}

/** Per-request options of {@link Recommender.recommendForSignals}. */
export interface RecommendOptions {
  /** Restrict to items with a tag whose normalised label equals this value (e.g. `AiARLocationBarrack3`). */
  readonly filter?: string | null | undefined;
  /** A reference point: adds the geo scorer; restricts too when `geoRadiusM` is given. */
  readonly near?: GeoPoint | null | undefined;
  /** Restrict to items within this many metres of `near`. */
  readonly geoRadiusM?: number | null | undefined;
  /** Truncate the final list (after ranking and distractor placement) to this many items. */
  readonly limit?: number | null | undefined;
  /** Randomness for the distractor (inject decision, slot, sampling); defaults to the recommender's. */
  readonly random?: RandomSource | undefined;
}

/** Options of {@link Recommender}. */
export interface RecommenderOptions {
  /** The catalogue. */
  readonly contentStore: ContentStore;
  /** Where materialised user models are read from. */
  readonly modelStore: UserModelStore;
  /** The resolved config. */
  readonly cfg: RecConfig;
  /** Default randomness (default `Math.random`). */
  readonly random?: RandomSource | undefined;
}

interface Scored extends ScoredCandidate {
  readonly unit: Float32Array | null;
}

interface Plan {
  readonly queries: ContentQuery[];
  readonly slots: Partial<
    Record<
      "semantic" | "tags" | "liked" | "constrained" | "sample" | "dissimilar" | "distractorSample",
      number
    >
  >;
}

const EMPTY: ContentHit[] = [];

/**
 * The serve side (reference §6): reads a user's model and produces a ranked, diversity-reranked list with
 * one distractor. `recommendForSignals` is pure apart from the content-store reads: a warm recommendation
 * costs at most two `ContentStore.query` round trips, a cold one one.
 *
 * @example
 * const recommender = new Recommender({ contentStore, modelStore, cfg: resolveConfig() });
 * const rec = await recommender.recommend("user-1", { limit: 5 });
 */
export class Recommender {
  readonly #store: ContentStore;
  readonly #models: UserModelStore;
  readonly #cfg: RecConfig;
  readonly #random: RandomSource;

  /** @param options - stores, config and default randomness */
  constructor(options: RecommenderOptions) {
    this.#store = options.contentStore;
    this.#models = options.modelStore;
    this.#cfg = options.cfg;
    this.#random = options.random ?? Math.random;
  }

  /** The config this recommender serves with. */
  get cfg(): RecConfig {
    return this.#cfg;
  }

  /**
   * Recommend for a stored user: reads the materialised model (an empty, cold one when there is none) and
   * calls {@link Recommender.recommendForSignals}.
   * @param userId - the user
   * @param options - filter, geo, limit, randomness
   */
  async recommend(userId: string, options: RecommendOptions = {}): Promise<Recommendation> {
    const signals = (await this.#models.getSignals(userId)) ?? emptyUserSignals(userId);
    return this.recommendForSignals(signals, options);
  }

  /**
   * Recommend for a given user model: generate candidates (semantic + tag recall, or filter / geo when
   * constrained; a cold-start sample when there are none), score, fuse, rerank with MMR and place the
   * distractor. Seen items (positives, negatives, viewed) are never recommended unless a constrained set
   * is exhausted and re-showing is enabled.
   * @param signals - the user model
   * @param options - filter, geo, limit, randomness
   */
  async recommendForSignals(signals: UserSignals, options: RecommendOptions = {}): Promise<Recommendation> {
    validateOptions(options);
    const cfg = this.#cfg;
    const random = options.random ?? this.#random;
    const filter = options.filter ? options.filter : null;
    const near = options.near ?? null;
    const radius =
      near && options.geoRadiusM !== undefined && options.geoRadiusM !== null ? options.geoRadiusM : null;
    const constrained = filter !== null || radius !== null;
    let strategy: "warm" | "cold" = isCold(signals) ? "cold" : "warm";
    const seen = new Set([
      ...Object.keys(signals.positives),
      ...Object.keys(signals.negatives),
      ...signals.viewed,
    ]);
    const inject =
      cfg.distractor_enabled && (cfg.distractor_probability >= 1 || random() < cfg.distractor_probability);
    const relLimit = Math.max(cfg.final_limit - (inject ? 1 : 0), 1);
    const generators = constrained
      ? [...(filter !== null ? ["filter"] : []), ...(radius !== null ? ["geo"] : [])]
      : ["semantic", "tag"];
    const pool = cfg.pool_per_generator;

    const taste = signals.taste_vector && signals.taste_vector.length > 0 ? signals.taste_vector : null;
    const topKeys = topAffinityKeys(signals.tag_affinity, cfg.affinity_top_k);
    const liked = Object.entries(signals.positives).filter(([, weight]) => weight > 0);
    const plan: Plan = { queries: [], slots: {} };
    const add = (slot: keyof Plan["slots"], query: ContentQuery) => {
      plan.slots[slot] = plan.queries.push(query) - 1;
    };
    const constrainedQuery = (exclude: ReadonlySet<string> | undefined): ContentQuery => ({
      kind: "filter",
      value: filter ?? undefined,
      geo: radius !== null && near ? { lat: near.lat, lon: near.lon, radiusM: radius } : undefined,
      limit: pool,
      exclude,
    });
    const distractorSampleLimit = cfg.final_limit + 1;
    const wantsDistractorSample =
      inject &&
      !constrained &&
      (cfg.distractor_strategy === "random" || (cfg.distractor_strategy === "max_dissimilar" && !taste));
    if (constrained) {
      add("constrained", constrainedQuery(seen));
    } else {
      if (taste) add("semantic", { kind: "vector", vector: taste, limit: pool, exclude: seen });
      if (topKeys.size > 0) {
        add("tags", { kind: "tags", weights: Object.fromEntries(topKeys), limit: pool, exclude: seen });
      }
      const sampleLimit = Math.max(pool, wantsDistractorSample ? distractorSampleLimit : 0);
      // A user without a taste vector may have an empty recall: sample in the same round trip.
      if (!taste) add("sample", { kind: "sample", limit: sampleLimit, exclude: seen });
      else if (wantsDistractorSample) {
        add("distractorSample", { kind: "sample", limit: distractorSampleLimit, exclude: seen });
      }
      if (inject && cfg.distractor_strategy === "max_dissimilar" && taste) {
        const vector = taste.map((x) => -x);
        add("dissimilar", { kind: "vector", vector, limit: pool + cfg.final_limit, exclude: seen });
      }
      if (inject && cfg.distractor_strategy === "unexplored_theme") {
        add("distractorSample", { kind: "sample", limit: 20 + cfg.final_limit, exclude: seen });
      }
    }
    if (liked.length > 0) add("liked", { kind: "ids", ids: liked.map(([id]) => id) });

    const results = plan.queries.length > 0 ? await this.#store.query(plan.queries) : [];
    const hitsOf = (slot: keyof Plan["slots"]) => {
      const index = plan.slots[slot];
      return index === undefined ? EMPTY : (results[index] ?? EMPTY);
    };

    const candidates = new Map<string, ContentHit>();
    let seenFallback = false;
    let coldFallback = false;
    if (constrained) {
      for (const hit of hitsOf("constrained")) if (!seen.has(hit.id)) candidates.set(hit.id, hit);
      if (candidates.size === 0 && cfg.filter_reshow_when_exhausted) {
        const [reshown] = await this.#store.query([constrainedQuery(undefined)]);
        for (const hit of reshown ?? EMPTY) candidates.set(hit.id, hit);
        seenFallback = candidates.size > 0;
      }
    } else {
      for (const hit of [...hitsOf("semantic"), ...hitsOf("tags")]) {
        if (!seen.has(hit.id) && !candidates.has(hit.id)) candidates.set(hit.id, hit);
      }
      if (candidates.size === 0) {
        coldFallback = true;
        if (plan.slots.sample === undefined) {
          const extra = inject && cfg.distractor_strategy !== "unexplored_theme";
          const limit = Math.max(pool, extra ? distractorSampleLimit : 0);
          const [sampled] = await this.#store.query([{ kind: "sample", limit, exclude: seen }]);
          plan.slots.sample = results.push(sampled ?? EMPTY) - 1;
        }
        for (const hit of hitsOf("sample").slice(0, pool)) if (!seen.has(hit.id)) candidates.set(hit.id, hit);
      }
      if (coldFallback) strategy = "cold";
    }
    const poolSize = candidates.size;
    if (poolSize === 0) {
      return {
        user_id: signals.user_id,
        items: [],
        strategy,
        diagnostics: {
          reason: constrained ? "empty_filter" : "no_content",
          filter,
          generators,
          pool_size: 0,
        },
      };
    }

    const likedItems: LikedItem[] = [];
    const maxPositive = Math.max(0, ...liked.map(([, w]) => w));
    const likedVectors = new Map(hitsOf("liked").map((hit) => [hit.id, hit.vector]));
    for (const [id, weight] of liked) {
      const vector = likedVectors.get(id);
      if (vector && vector.length > 0) likedItems.push({ vector, weight: weight / maxPositive });
    }
    const context: ScoreContext = {
      cfg,
      taste,
      recency: signals.recency_vector && signals.recency_vector.length > 0 ? signals.recency_vector : null,
      liked: likedItems,
      affinity: prepareWeights(signals.tag_affinity),
      aversion: prepareWeights(signals.tag_aversion),
      near,
    };
    const scored = [...candidates.values()].map((hit) => scoreHit(hit, context));
    const picked = mmrRerank(
      scored.map((s) => ({ score: s.final_score, vector: s.unit })),
      relLimit,
      cfg.mmr_lambda,
    ).map((index) => scored[index]!);

    let items: ScoredCandidate[] = picked.map(strip);
    let distractor: DistractorDiagnostics | undefined;
    if (inject) {
      const rankedIds = new Set(picked.map((s) => s.content_id));
      let chosen: ScoredCandidate | null = null;
      if (constrained) {
        let lowest: Scored | null = null;
        for (const s of scored)
          if (!rankedIds.has(s.content_id) && (lowest === null || s.final_score < lowest.final_score))
            lowest = s;
        chosen = lowest ? { ...strip(lowest), kind: "distractor" } : null;
      } else {
        const usable = (hit: ContentHit) => !seen.has(hit.id) && !rankedIds.has(hit.id);
        const strategyName = cfg.distractor_strategy;
        let hit: ContentHit | undefined;
        if (strategyName === "max_dissimilar" && taste) hit = hitsOf("dissimilar").find(usable);
        else if (strategyName === "unexplored_theme") {
          hit = leastFamiliar(hitsOf("distractorSample").filter(usable).slice(0, 20), signals.tag_affinity);
        }
        if (!hit && strategyName !== "unexplored_theme") {
          hit = [...hitsOf("distractorSample"), ...hitsOf("sample")].find(usable);
        }
        if (!hit && strategyName === "max_dissimilar" && taste && plan.slots.sample === undefined) {
          // Second (and last) round trip: the dissimilar search found nothing usable.
          const excluded = new Set([...seen, ...rankedIds]);
          const [sampled] = await this.#store.query([{ kind: "sample", limit: 1, exclude: excluded }]);
          hit = (sampled ?? EMPTY).find(usable);
        }
        chosen = hit ? scoreDistractor(hit, context) : null;
      }
      if (chosen) {
        const slot = Math.min(pickOne(cfg.distractor_slots, random), items.length + 1);
        items = [...items.slice(0, slot - 1), chosen, ...items.slice(slot - 1)];
        distractor = {
          content_id: chosen.content_id,
          strategy: constrained ? "within_constraint" : cfg.distractor_strategy,
          slot,
        };
      } else {
        distractor = { placed: false, reason: constrained ? "filtered_set_exhausted" : "no_candidate" };
      }
    }
    if (options.limit !== undefined && options.limit !== null) items = items.slice(0, options.limit);
    const diagnostics: RecommendationDiagnostics = {
      pool_size: poolSize,
      scored: scored.length,
      generators,
      cold_start_fallback: coldFallback,
      seen_fallback: seenFallback,
      filter,
      geo: near !== null,
      ranking: "static",
      ...(distractor ? { distractor } : {}),
    };
    return { user_id: signals.user_id, items, strategy, diagnostics };
  }
}

interface ScoreContext {
  readonly cfg: RecConfig;
  readonly taste: readonly number[] | null;
  readonly recency: readonly number[] | null;
  readonly liked: readonly LikedItem[];
  readonly affinity: PreparedWeights;
  readonly aversion: PreparedWeights;
  readonly near: GeoPoint | null;
}

function scoreHit(hit: ContentHit, context: ScoreContext): Scored {
  const { vector, content } = hit;
  const tags = content ? contentTagWeights(content) : null;
  const scores: Record<string, number> = {
    semantic: semanticScore(context.taste, vector),
    affinity: affinityScore(vector, context.liked),
    tag: tagScore(tags, context.affinity),
    recency: recencyScore(context.recency, vector),
    aversion: tagScore(tags, context.aversion),
  };
  if (context.near) scores.geo = geoScore(context.near, content, context.cfg.geo_scale_m);
  const fused = weightedFuse(scores, context.cfg.fusion);
  return {
    content_id: hit.id,
    final_score: fused.finalScore,
    breakdown: fused.breakdown,
    features: fused.features,
    content,
    kind: "recommendation",
    unit: vector && vector.length > 0 ? normalized(vector) : null,
  };
}

function scoreDistractor(hit: ContentHit, context: ScoreContext): ScoredCandidate {
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

function strip(scored: Scored): ScoredCandidate {
  const { unit: _unit, ...rest } = scored;
  return rest;
}

function leastFamiliar(
  hits: readonly ContentHit[],
  affinity: Readonly<Record<string, number>>,
): ContentHit | undefined {
  let best: ContentHit | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  for (const hit of hits) {
    const keys = new Set((hit.content?.tags ?? []).map((t) => `${t.facet}:${t.label}`.toLowerCase()));
    let count = 0;
    for (const key of Object.keys(affinity)) if (keys.has(key)) count += 1;
    if (count < bestCount) {
      best = hit;
      bestCount = count;
    }
  }
  return best;
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

function validateOptions(options: RecommendOptions): void {
  const { near, geoRadiusM, limit } = options;
  if (near) {
    if (!Number.isFinite(near.lat) || near.lat < -90 || near.lat > 90) {
      throw new InvalidArgumentError("near_lat must be a latitude in [-90, 90]", "near_lat");
    }
    if (!Number.isFinite(near.lon) || near.lon < -180 || near.lon > 180) {
      throw new InvalidArgumentError("near_lon must be a longitude in [-180, 180]", "near_lon");
    }
  }
  if (geoRadiusM !== undefined && geoRadiusM !== null && (!Number.isFinite(geoRadiusM) || geoRadiusM < 0)) {
    throw new InvalidArgumentError("geo_radius_m must be a non-negative number", "geo_radius_m");
  }
  if (limit !== undefined && limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError("limit must be a positive integer", "limit");
  }
}
