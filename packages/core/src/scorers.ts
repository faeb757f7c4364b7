import type { Content } from "@recsys/ports";
import { haversineM } from "./geo.js";
import { onceForFrozen } from "./memo.js";
import { normalizeKey } from "./taxonomy.js";
import { cosineOfFixed } from "./vectors.js";

/** The scorer names, in feature-vector order. */
export const FEATURE_ORDER = ["semantic", "affinity", "tag", "recency", "aversion", "geo"] as const;

/** One of {@link FEATURE_ORDER}. */
export type ScorerName = (typeof FEATURE_ORDER)[number];

type Vec = ArrayLike<number> | null | undefined;

/**
 * Semantic score in [0, 1]: `(cos(taste, v) + 1) / 2`; 0 when either vector is missing. Vectors must not
 * change after their first use here: their norms are remembered per vector object.
 * @param taste - the user's taste vector
 * @param vector - the item's vector
 */
export function semanticScore(taste: Vec, vector: Vec): number {
  if (!taste || !vector || taste.length === 0 || vector.length === 0) return 0;
  // Taste and item vectors never change once made: their norms are computed once (same bits as cosine).
  return (cosineOfFixed(taste, vector) + 1) / 2;
}

/** Recency score: the semantic score against the most recently viewed item's vector. */
export const recencyScore: (recency: Vec, vector: Vec) => number = semanticScore;

/** A liked item for the affinity scorer: its vector and weight `positive / max positive`. */
export interface LikedItem {
  /** The liked item's vector. */
  readonly vector: ArrayLike<number>;
  /** Its weight in (0, 1]. */
  readonly weight: number;
}

/**
 * Item-kNN affinity in [0, 1]: `max_i w_i · (cos(v, liked_i) + 1) / 2`; 0 without a vector or likes.
 * Vectors must not change after their first use here (their norms are remembered).
 * @param vector - the item's vector
 * @param liked - liked items with weights
 */
export function affinityScore(vector: Vec, liked: readonly LikedItem[]): number {
  if (!vector || vector.length === 0 || liked.length === 0) return 0;
  let best = 0;
  for (const item of liked)
    best = Math.max(best, (item.weight * (cosineOfFixed(vector, item.vector) + 1)) / 2);
  return best;
}

/** A user's tag weights prepared for scoring: normalised keys with their weights, and the total. */
export interface PreparedWeights {
  /** `[normalizeKey(key), weight]` pairs. */
  readonly entries: readonly (readonly [string, number])[];
  /** Σ of the weights. */
  readonly total: number;
}

const prepared = new WeakMap<object, PreparedWeights>();

/**
 * Prepare tag affinity (or aversion) for {@link tagScore}: normalise every key once per request, or once
 * per model when the weights are frozen (stores hand out frozen models).
 * @param weights - lower-cased key → weight
 */
export function prepareWeights(weights: Readonly<Record<string, number>>): PreparedWeights {
  return onceForFrozen(prepared, weights, () => {
    const entries = Object.entries(weights).map(([key, weight]) => [normalizeKey(key), weight] as const);
    return { entries, total: entries.reduce((sum, [, weight]) => sum + weight, 0) };
  });
}

const tagWeights = new WeakMap<object, ReadonlyMap<string, number>>();

/**
 * An item's tags as `normalizeKey(facet:label) → weight` (a later duplicate wins): computed once per item
 * when its tag list is frozen (the embedded store freezes its catalogue), else on every call.
 * @param content - the item
 */
export function contentTagWeights(content: Pick<Content, "tags">): ReadonlyMap<string, number> {
  return onceForFrozen(tagWeights, content.tags, () => {
    const map = new Map<string, number>();
    for (const tag of content.tags) map.set(normalizeKey(`${tag.facet}:${tag.label}`), tag.weight);
    return map;
  });
}

/**
 * Tag score in [0, 1]: `Σ_k affinity[k] · W[k] / Σ affinity`, with the item's normalised tag weights `W`;
 * 0 without content, affinity, or a positive total. The same function scores aversion.
 * @param itemTags - from {@link contentTagWeights}, or null when the content is unknown
 * @param prepared - from {@link prepareWeights}
 */
export function tagScore(itemTags: ReadonlyMap<string, number> | null, prepared: PreparedWeights): number {
  if (!itemTags || prepared.entries.length === 0 || prepared.total <= 0) return 0;
  let sum = 0;
  for (const [key, weight] of prepared.entries) {
    const w = itemTags.get(key);
    if (w !== undefined) sum += weight * w;
  }
  return Math.min(1, Math.max(0, sum / prepared.total));
}

/**
 * Geo score in (0, 1]: `exp(−distance / scale)`; 0 when the item has no coordinates or the scale is 0.
 * @param near - the reference point
 * @param content - the item
 * @param scaleM - the falloff scale in metres (`geo_scale_m`)
 * @example geoScore({ lat: 52.7581, lon: 9.9062 }, item144mAway, 300) // 0.617643
 */
export function geoScore(
  near: { readonly lat: number; readonly lon: number },
  content: Pick<Content, "lat" | "lon"> | null,
  scaleM: number,
): number {
  if (!content || content.lat === null || content.lon === null || scaleM <= 0) return 0;
  return Math.exp(-haversineM(near.lat, near.lon, content.lat, content.lon) / scaleM);
}
