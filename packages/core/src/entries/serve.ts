/**
 * `@recsys/core/serve`: the stages of the serve path, the distractor strategies and the ranking
 * policies, for composing a serve path of one's own. `Recommender` runs them in order.
 * @packageDocumentation
 */

export { onceForFrozen } from "../memo.js";
export {
  DISTRACTOR_STRATEGIES_TABLE,
  type DistractorChoice,
  type DistractorStrategy,
  distractorStrategyName,
  scoreDistractor,
} from "../serve/distractor.js";
export { RANKING_POLICIES, STATIC_POLICY } from "../serve/ranking.js";
export {
  collectCandidates,
  diagnose,
  placeDistractor,
  planQueries,
  rankCandidates,
  rerank,
  type ServeRequest,
  scoreCandidates,
  startRequest,
} from "../serve/stages.js";
export type {
  CandidateSource,
  GeoPoint,
  PlanContext,
  RankingPolicy,
  ScoreContext,
  ScoredItem,
  Scorer,
  ScoringCandidate,
  ServeState,
  Slot,
} from "../serve/types.js";
