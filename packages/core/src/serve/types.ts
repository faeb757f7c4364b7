import type {
  Content,
  ContentHit,
  ContentQuery,
  DistractorDiagnostics,
  RecConfig,
  ScoredCandidate,
  UserSignals,
} from "@recsys/ports";
import type { RandomSource } from "../random.js";
import type { LikedItem, PreparedWeights } from "../scorers.js";

/** A point on the map. */
export interface GeoPoint {
  /** Latitude in degrees. */
  readonly lat: number;
  /** Longitude in degrees. */
  readonly lon: number;
}

/** What the planning stage knows about a request; custom candidate sources read it. */
export interface PlanContext {
  /** The settings of this request. */
  readonly cfg: RecConfig;
  /** The user model. */
  readonly signals: UserSignals;
  /** Items the user has seen (positives, negatives, viewed): never recommended unless re-shown. */
  readonly seen: ReadonlySet<string>;
  /** The user's taste vector, or null. */
  readonly taste: readonly number[] | null;
  /** The strongest affinity keys (normalised) with their weights, at most `affinity_top_k`. */
  readonly topKeys: ReadonlyMap<string, number>;
  /** Liked items: `[id, positive weight]` with weight > 0. */
  readonly liked: readonly (readonly [string, number])[];
  /** Whether a filter or a geo radius restricts the candidates. */
  readonly constrained: boolean;
  /** Whether a distractor is to be placed. */
  readonly inject: boolean;
}

/**
 * A candidate source: adds one query to the serve path's single batch of content-store queries, whose
 * hits join the unconstrained candidate pool after the built-in semantic and tag recall (a filter or geo
 * radius never admits them). Seen items are dropped whatever the query returns.
 *
 * @example
 * const featured: CandidateSource = { name: "featured", query: () => ({ kind: "ids", ids: ["7", "9"] }) };
 */
export interface CandidateSource {
  /** Shown in `diagnostics.generators`. */
  readonly name: string;
  /**
   * The query for this request, or null to add none.
   * @param context - what the plan knows about the request
   */
  query(context: PlanContext): ContentQuery | null;
}

/** One candidate as a scorer sees it. */
export interface ScoringCandidate {
  /** The item id. */
  readonly id: string;
  /** The item's content, or null when the store has none. */
  readonly content: Content | null;
  /** The item's vector, or null. */
  readonly vector: Float32Array | null;
  /** The item's tags as `normalizeKey(facet:label) → weight`, or null without content. */
  readonly tags: ReadonlyMap<string, number> | null;
  /** The built-in vector scorers' values, computed for the whole pool at once (absent: computed alone). */
  readonly vectorScores?: VectorScores;
}

/** The values of the semantic, recency and affinity scorers for one candidate. */
export interface VectorScores {
  /** `(cos(taste, v) + 1) / 2`, 0 without a taste or a vector. */
  readonly semantic: number;
  /** `(cos(recency, v) + 1) / 2`, 0 without a recency vector or a vector. */
  readonly recency: number;
  /** `max_i w_i · (cos(v, liked_i) + 1) / 2`, 0 without a vector or likes. */
  readonly affinity: number;
}

/** Per-request state shared by the scorers, prepared once per request. */
export interface ScoreContext {
  /** The settings of this request. */
  readonly cfg: RecConfig;
  /** The user model. */
  readonly signals: UserSignals;
  /** The taste vector, or null. */
  readonly taste: readonly number[] | null;
  /** The recency vector, or null. */
  readonly recency: readonly number[] | null;
  /** Liked items with vectors and weights `positive / max positive`. */
  readonly liked: readonly LikedItem[];
  /** Tag affinity, prepared for {@link tagScore}. */
  readonly affinity: PreparedWeights;
  /** Tag aversion, prepared. */
  readonly aversion: PreparedWeights;
  /** The request's reference point, or null. */
  readonly near: GeoPoint | null;
}

/**
 * A scorer: one signal in [0, 1] (by convention) per candidate, fused with a weight into the final score.
 * Its weighted value shows in every item's `breakdown` under its name.
 *
 * @example
 * const popularity: Scorer = { name: "popularity", weight: 0.1, score: (c) => (popular.has(c.id) ? 1 : 0) };
 */
export interface Scorer {
  /** The breakdown key; must not be one of the built-in names. */
  readonly name: string;
  /** The fusion weight, or a function of the settings (built-ins read `fusion`). */
  readonly weight: number | ((cfg: RecConfig) => number);
  /**
   * Whether this scorer takes part in a request (default: always). The geo scorer needs a `near` point.
   * @param context - the request's scoring context
   */
  readonly active?: (context: ScoreContext) => boolean;
  /**
   * Score one candidate.
   * @param candidate - the candidate
   * @param context - the request's scoring context
   */
  score(candidate: ScoringCandidate, context: ScoreContext): number;
}

/** A candidate after scoring and ranking, with its unit vector for MMR. */
export interface ScoredItem extends ScoredCandidate {
  /** The unit-length vector, or null. */
  readonly unit: Float32Array | null;
}

/**
 * A ranking policy: turns the scored pool into relevance scores for MMR. `static` keeps the fused score
 * (the sum of the breakdown); a learned policy replaces it and leaves the breakdown as it is.
 */
export interface RankingPolicy {
  /** Shown in `diagnostics.ranking`. */
  readonly name: string;
  /**
   * The relevance of each scored item, in the same order.
   * @param items - the scored pool
   * @param context - the request's scoring context
   */
  rank(items: readonly ScoredItem[], context: ScoreContext): readonly number[];
  /** The policy's current version, for diagnostics and the served log (a learned policy's updates). */
  version?(): number;
}

/** Named query slots of the plan. */
export type Slot = "semantic" | "tags" | "liked" | "constrained" | "sample" | "distractorSample" | string;

/** The mutable state of one request as it goes through the stages. */
export interface ServeState extends PlanContext {
  /** The randomness of this request. */
  readonly random: RandomSource;
  /** The filter value, or null. */
  readonly filter: string | null;
  /** The reference point, or null. */
  readonly near: GeoPoint | null;
  /** The geo radius in metres when it restricts, else null. */
  readonly radius: number | null;
  /** Generators reported in the diagnostics. */
  readonly generators: string[];
  /** `warm` or `cold`. */
  strategy: "warm" | "cold";
  /** The batch of queries and which slot each answers. */
  readonly queries: ContentQuery[];
  /** Slot → index into `queries`/`results`. */
  readonly slots: Map<Slot, number>;
  /** The answers of the batch (and of any fallback query). */
  results: ContentHit[][];
  /** The candidate pool, in recall order. */
  readonly candidates: Map<string, ContentHit>;
  /** The cold-start sample was used. */
  coldFallback: boolean;
  /** Seen items of the filter set were re-shown. */
  seenFallback: boolean;
  /** Scoring context, set by the score stage. */
  scoreContext: ScoreContext | null;
  /** The scored pool, in candidate order. */
  scored: ScoredItem[];
  /** The ranking policy's name. */
  ranking: string;
  /** The ranking policy's version, when it has one. */
  rankingVersion: number | undefined;
  /** The MMR selection, best first. */
  ranked: ScoredItem[];
  /** The final list. */
  items: ScoredCandidate[];
  /** The distractor outcome, when one was requested. */
  distractor: DistractorDiagnostics | undefined;
}
