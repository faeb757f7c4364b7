/**
 * `@recsys/core/scoring`: the scorers, weighted fusion, MMR and the vector and geo helpers they use.
 * @packageDocumentation
 */
export { type Fused, weightedFuse } from "../fusion.js";
export { EARTH_RADIUS_M, haversineM } from "../geo.js";
export {
  BatchDots,
  type DotEstimate,
  DotMatrix,
  type DotMatrixOptions,
  dotRowsJs,
  ESTIMATED_FROM_ROWS,
  type KernelKind,
  keepBest,
} from "../kernel.js";
export { type MmrItem, mmrRerank } from "../mmr.js";
export {
  affinityScore,
  contentTagWeights,
  FEATURE_ORDER,
  geoScore,
  type LikedItem,
  type PreparedWeights,
  prepareWeights,
  recencyScore,
  type ScorerName,
  semanticScore,
  tagScore,
} from "../scorers.js";
export { BUILT_IN_SCORER_NAMES, BUILT_IN_SCORERS } from "../serve/built-in-scorers.js";
export { cosine, dot, norm, normalized, normalizeInto } from "../vectors.js";
