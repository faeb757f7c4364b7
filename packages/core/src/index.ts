/**
 * `@recsys/core`: the pure brain of recsys. The front door holds what a team needs first: the two
 * orchestrators (Recommender on the serve side, UserModelUpdater on the ingest side), event
 * normalisation, the settings, and the extension points of the serve path (scorers, candidate sources,
 * ranking policies). Building blocks live under subpaths: `@recsys/core/scoring`, `/model`, `/serve`,
 * `/taxonomy`, `/time`, `/config`. Behaviour: docs/behaviour.md.
 * @packageDocumentation
 */
export { activityOf } from "./activity.js";
export { checkEnvironment, type Environment, resolveConfig } from "./config.js";
export { parseEventsJson } from "./events-json.js";
export { assignVariant, bucketOf, variantConfigs } from "./experiments.js";
export {
  type EngagementStyle,
  type ExperiencePreference,
  explainUser,
  type Interest,
  type PersonaExplanation,
  VISITOR_TYPES,
  type VisitorType,
  type VisitorTypeName,
  verbalize,
} from "./explain.js";
export {
  attributeRewards,
  impressionsOf,
  learnFromRewards,
  type Reward,
  SharedPolicy,
} from "./feedback.js";
export {
  type HistoryEvent,
  type HistorySession,
  historyOf,
  type ItemOutcome,
  SESSION_GAP_MS,
  type SurveyExtras,
  surveyExtras,
  type VisitorHistory,
} from "./history.js";
export { toRecommendationItems } from "./items.js";
export {
  addPolicySums,
  emptyPolicySums,
  invertMatrix,
  LinUcb,
  linUcbPolicy,
  type Observation,
  POLICY_DIMENSION,
  type PolicyHealth,
  policySumsOf,
} from "./linucb.js";
export {
  callsOf,
  type NormalizeOptions,
  type NormalizeResult,
  normalizeEvents,
  type RejectedEvent,
  SIGNAL_FREE_TYPES,
} from "./normalize-events.js";
export {
  type CandidateScore,
  candidateScore,
  type Estimate,
  joinServedWithEvents,
  type LoggedImpression,
  type LoggedList,
  NOMINAL_ESTIMATE_SECONDS,
  type OffPolicyReport,
  offPolicyEstimate,
  type PolicyStateFile,
  policyStateFile,
  sumsOfStateFile,
  trainLinUcb,
} from "./offline.js";
export { previewSignals } from "./preview.js";
export { createSeededRandom, type RandomSource } from "./random.js";
export { Recommender, type RecommenderOptions, type RecommendOptions } from "./recommender.js";
export { BUILT_IN_SCORERS } from "./serve/built-in-scorers.js";
export type {
  CandidateSource,
  GeoPoint,
  PlanContext,
  RankingPolicy,
  ScoreContext,
  ScoredItem,
  Scorer,
  ScoringCandidate,
} from "./serve/types.js";
export { emptyTenant, tenantEnvironment, tenantPrefix } from "./tenants.js";
export { REFRESH_CONCURRENCY, type UpdateOptions, type UpdaterOptions, UserModelUpdater } from "./updater.js";
