/**
 * `@recsys/core`: the pure brain of recsys. Event normalisation, engagement, user-model building,
 * candidate generation, scorers, fusion, MMR, and the two orchestrators (Recommender, UserModelUpdater),
 * which talk only to the ports of `@recsys/ports`.
 * @packageDocumentation
 */
export { type AggregatedView, aggregateViews, VIEW_ENDED, VIEW_STARTED } from "./aggregate.js";
export {
  CONFIG_ENV_BINDINGS,
  configFromEnv,
  deepMerge,
  type Environment,
  parseFlag,
  resolveConfig,
} from "./config.js";
export {
  COMPLETION_BY_REASON,
  decay,
  dwellRatio,
  type EngagementConfig,
  type EngagementInput,
  engagementStrength,
  estimateReadingSeconds,
  type Outcome,
  outcomeOf,
} from "./engagement.js";
export { type Fused, weightedFuse } from "./fusion.js";
export { EARTH_RADIUS_M, haversineM } from "./geo.js";
export { normalizeContentId } from "./ids.js";
export { compareIds } from "./ids-order.js";
export { toRecommendationItems } from "./items.js";
export { type MmrItem, mmrRerank } from "./mmr.js";
export {
  type NormalizeOptions,
  type NormalizeResult,
  normalizeEvents,
  type RejectedEvent,
} from "./normalize-events.js";
export { createSeededRandom, pickOne, type RandomSource } from "./random.js";
export { type GeoPoint, Recommender, type RecommenderOptions, type RecommendOptions } from "./recommender.js";
export { roundHalfEven } from "./rounding.js";
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
} from "./scorers.js";
export {
  type BuildSignalsOptions,
  buildUserSignals,
  CAMP_AREAS_FACET,
  foldAndNormalize,
} from "./signal-builder.js";
export {
  cleanAnswerValue,
  countryOf,
  type DemographicField,
  demographicAffinity,
  extractDemographics,
  type SurveyAffinity,
  surveyAffinity,
} from "./survey.js";
export { casefold, LABEL_ALIASES, normalizeFilterValue, normalizeKey, normalizeLabel } from "./taxonomy.js";
export { eventTime, formatTimestamp, type Instant, parseTimestamp, toEpochMs } from "./time.js";
export { type UpdateOptions, type UpdaterOptions, UserModelUpdater } from "./updater.js";
export { cosine, dot, norm, normalized } from "./vectors.js";
