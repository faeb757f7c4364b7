/**
 * `@recsys/core/model`: the ingest-side building blocks: view aggregation, engagement, decay, the user
 * model builder and the survey rules.
 * @packageDocumentation
 */
export { type AggregatedView, aggregateViews, VIEW_ENDED, VIEW_STARTED } from "../aggregate.js";
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
} from "../engagement.js";
export { roundHalfEven } from "../rounding.js";
export {
  type BuildSignalsOptions,
  buildUserSignals,
  CAMP_AREAS_FACET,
  foldAndNormalize,
} from "../signal-builder.js";
export {
  cleanAnswerValue,
  countryOf,
  type DemographicField,
  demographicAffinity,
  extractDemographics,
  type SurveyAffinity,
  surveyAffinity,
} from "../survey.js";
