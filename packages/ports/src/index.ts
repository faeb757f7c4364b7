/**
 * `@recsys/ports`: the contracts of recsys: domain schemas (valibot) with their inferred types, the port
 * interfaces implemented by stores, and the error hierarchy.
 * @packageDocumentation
 */
export * from "./errors/index.js";
export { freezeDeep, freezeSet, isFrozenSet } from "./frozen.js";
export { LruMap } from "./lru-map.js";
export { MapFront } from "./map-front.js";
export type {
  ActivityStore,
  ItemActivity,
  VisitorActivity,
  VisitorItemActivity,
} from "./ports/activity-store.js";
export type {
  ContentHit,
  ContentQuery,
  ContentStore,
  GeoRadius,
  QueryOptions,
  Vector,
  VectorPrecision,
} from "./ports/content-store.js";
export { LOW_PRECISION_BEAM } from "./ports/content-store.js";
export type { AppendResult, EventBuffer, EventSource, VersionedEvents } from "./ports/event-source.js";
export type { FeedbackStore, Impression, PolicySums } from "./ports/feedback-store.js";
export type { ServedLog } from "./ports/served-log.js";
export type { RuntimeSettings, SettingsChange, SettingsStore } from "./ports/settings-store.js";
export type { TenantRegistry, TenantStore } from "./ports/tenant-store.js";
export type { UserModelStore } from "./ports/user-model-store.js";
export {
  type ConfigIssue,
  DEFAULT_REC_CONFIG,
  DEFAULT_SURVEY_RULES,
  DISTRACTOR_STRATEGIES,
  type Experiment,
  ExperimentSchema,
  RANKING_MODES,
  type RecConfig,
  type RecConfigInput,
  RecConfigSchema,
  type SurveyRules,
  SurveyRulesSchema,
  safeParseRecConfig,
} from "./schemas/config.js";
export {
  CONTENT_TYPES,
  type Content,
  ContentSchema,
  type ContentType,
  contentFromPayload,
  parseYears,
} from "./schemas/content.js";
export {
  canonicalEventJson,
  compareBufferedEvents,
  END_REASONS,
  type EndReason,
  INTERACTION_EVENT_FIELDS,
  type InteractionEvent,
  InteractionEventSchema,
  interactionEvent,
  isCanonicalEvent,
  safeParseInteractionEvent,
} from "./schemas/event.js";
export type { ParseResult } from "./schemas/issues.js";
export { type PreviewSpec, PreviewSpecSchema, safeParsePreviewSpec } from "./schemas/preview.js";
export {
  MAX_ID_LENGTH,
  MAX_LIMIT,
  MAX_RADIUS_M,
  type OptionsParseResult,
  RECOMMEND_OPTION_FIELDS,
  type RecommendOptionField,
  RecommendOptionsSchema,
  RecommendOptionsTextSchema,
  type RecommendQuery,
  RecommendQuerySchema,
  type RecommendRequestOptions,
  safeParseRecommendOptions,
  safeParseRecommendOptionsText,
  safeParseRecommendQuery,
  UserIdSchema,
} from "./schemas/recommend-options.js";
export {
  type Candidate,
  type DistractorDiagnostics,
  type GeneratedBy,
  type Recommendation,
  type RecommendationDiagnostics,
  type RecommendationItem,
  RecommendationItemSchema,
  type ScoredCandidate,
} from "./schemas/recommendation.js";
export {
  type ServedEntry,
  ServedEntrySchema,
  type ServedItem,
  ServedItemSchema,
  safeParseServedEntry,
} from "./schemas/served.js";
export { type Tag, TagSchema, tagKey } from "./schemas/tag.js";
export {
  DEFAULT_TENANT,
  type RateLimit,
  RateLimitSchema,
  safeParseTenantSpec,
  TENANT_ID_PATTERN,
  type TenantKey,
  TenantKeySchema,
  type TenantSpec,
  TenantSpecSchema,
  tenantIdentifier,
} from "./schemas/tenant.js";
export {
  emptyUserSignals,
  freezeSignals,
  isCold,
  safeParseUserSignals,
  type UserSignals,
  UserSignalsSchema,
} from "./schemas/user-signals.js";
