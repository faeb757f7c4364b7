import type { RecConfig } from "@recsys/ports";
import { batchDots } from "../kernel.js";
import { affinityScore, geoScore, recencyScore, semanticScore, tagScore } from "../scorers.js";
import { cosineOfFixed, sumOfSquares } from "../vectors.js";
import type { ScoreContext, Scorer, VectorScores } from "./types.js";

/**
 * The semantic, recency and affinity scores of a whole pool at once (docs/behaviour.md §6.4): every
 * candidate's dot products with the taste, the recency vector and each liked item come from the batch
 * kernel (one call per query vector), the norms are computed once per vector. The values are those of
 * {@link semanticScore}, {@link recencyScore} and {@link affinityScore} up to the summation order of the dot
 * products (last bits).
 * @param vectors - the candidates' vectors (null when missing)
 * @param context - the request's scoring context
 */
export function vectorScoresOf(
  vectors: readonly (Float32Array | null)[],
  context: Pick<ScoreContext, "taste" | "recency" | "liked">,
): VectorScores[] {
  const d = vectors.find((v) => v && v.length > 0)?.length ?? 0;
  const present = (v: Float32Array | null): v is Float32Array => v !== null && v.length > 0;
  const queries = [context.taste, context.recency, ...context.liked.map((l) => l.vector)];
  const dots: (Float64Array | null)[] = queries.map(() => null);
  if (d > 0 && queries.some((q) => q && q.length === d)) {
    batchDots.load(vectors, d);
    // Every query's dot products in one array (a row of it each), not one new array per query.
    const rows = vectors.length;
    const all = new Float64Array(queries.length * rows);
    queries.forEach((q, i) => {
      if (q && q.length === d) dots[i] = batchDots.scan(q, all.subarray(i * rows, (i + 1) * rows));
    });
  }
  const norms = queries.map((q) => (q && q.length > 0 ? sumOfSquares(q) : 0));
  /**
   * cosine(query i, candidate r), as `cosine` defines it (0 for a length mismatch or a zero norm); `nb` is
   * the candidate's sum of squares, computed once for all its queries.
   */
  const cos = (i: number, r: number, vector: Float32Array, nb: number): number => {
    const q = queries[i];
    const table = dots[i];
    if (!q || q.length !== vector.length) return 0;
    // A vector of another dimension than the pool's (not in the batch): computed alone.
    if (!table || vector.length !== d) return cosineOfFixed(q, vector);
    if (norms[i] === 0 || nb === 0) return 0;
    return table[r]! / (Math.sqrt(norms[i]!) * Math.sqrt(nb));
  };
  const similarity = (i: number, r: number, vector: Float32Array, nb: number): number => {
    const q = queries[i];
    if (!q || q.length === 0) return 0;
    return (cos(i, r, vector, nb) + 1) / 2;
  };
  return vectors.map((vector, r) => {
    if (!present(vector)) return { semantic: 0, recency: 0, affinity: 0 };
    const nb = vector.length === d ? sumOfSquares(vector) : 0;
    let affinity = 0;
    context.liked.forEach((item, k) => {
      affinity = Math.max(affinity, (item.weight * (cos(2 + k, r, vector, nb) + 1)) / 2);
    });
    return { semantic: similarity(0, r, vector, nb), recency: similarity(1, r, vector, nb), affinity };
  });
}

const fusionWeight =
  (name: keyof RecConfig["fusion"]) =>
  (cfg: RecConfig): number =>
    cfg.fusion[name];

/**
 * The six built-in scorers, in feature-vector order (docs/behaviour.md, "Scorers"): semantic, affinity,
 * tag, recency, aversion, and geo (only with a `near` point). Weights come from the `fusion` settings.
 */
export const BUILT_IN_SCORERS: readonly Scorer[] = [
  {
    name: "semantic",
    weight: fusionWeight("semantic"),
    score: (c, context) => c.vectorScores?.semantic ?? semanticScore(context.taste, c.vector),
  },
  {
    name: "affinity",
    weight: fusionWeight("affinity"),
    score: (c, context) => c.vectorScores?.affinity ?? affinityScore(c.vector, context.liked),
  },
  { name: "tag", weight: fusionWeight("tag"), score: (c, context) => tagScore(c.tags, context.affinity) },
  {
    name: "recency",
    weight: fusionWeight("recency"),
    score: (c, context) => c.vectorScores?.recency ?? recencyScore(context.recency, c.vector),
  },
  {
    name: "aversion",
    weight: fusionWeight("aversion"),
    score: (c, context) => tagScore(c.tags, context.aversion),
  },
  {
    name: "geo",
    weight: fusionWeight("geo"),
    active: (context) => context.near !== null,
    score: (c, context) => (context.near ? geoScore(context.near, c.content, context.cfg.geo_scale_m) : 0),
  },
];

/** The names of {@link BUILT_IN_SCORERS}. */
export const BUILT_IN_SCORER_NAMES: ReadonlySet<string> = new Set(BUILT_IN_SCORERS.map((s) => s.name));
