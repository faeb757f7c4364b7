import { RecommendationItemSchema, UserIdSchema, UserSignalsSchema } from "@recsys/ports";
import * as v from "valibot";

/** Query of `GET /api/usermodel`. */
export const UserModelQuerySchema = v.object({ user_id: UserIdSchema });

/** An error body. */
export const ErrorSchema = v.object({
  error: v.object({ code: v.string(), message: v.string(), details: v.optional(v.unknown()) }),
});

const Id = v.union([v.string(), v.number()]);
const Timestamp = v.pipe(v.string(), v.description("ISO-8601; a time without an offset is UTC"));
const ContentRef = v.union([Id, v.looseObject({ content_id: Id })]);

/** What every RudderStack call may carry (documentation: `normalizeEvents` is what reads them). */
const common = {
  userId: v.optional(Id),
  anonymousId: v.optional(Id),
  messageId: v.optional(v.pipe(v.string(), v.description("Deliveries of one call share it: counted once"))),
  timestamp: v.optional(Timestamp),
  originalTimestamp: v.optional(Timestamp),
  sentAt: v.optional(Timestamp),
  context: v.optional(v.record(v.string(), v.unknown())),
};

const TrackCall = v.pipe(
  v.looseObject({
    type: v.optional(v.literal("track")),
    event: v.pipe(
      v.string(),
      v.description("e.g. CONTENT_VIEW_STARTED, CONTENT_VIEW_ENDED, SURVEY_SUBMITTED"),
    ),
    ...common,
    properties: v.optional(
      v.looseObject({
        content: v.optional(ContentRef),
        details: v.optional(
          v.looseObject({
            dwell_seconds: v.optional(v.union([v.number(), v.string()])),
            reason: v.optional(v.picklist(["next_button", "link", "close_button", "abandon"])),
            request_id: v.optional(v.string()),
            query_text: v.optional(v.string()),
            clicked_id: v.optional(Id),
          }),
        ),
        context: v.optional(
          v.looseObject({
            session_id: v.optional(v.string()),
            request_id: v.optional(v.string()),
            candidates: v.optional(v.array(ContentRef)),
          }),
        ),
        answers: v.optional(
          v.array(
            v.looseObject({
              question_id: v.optional(Id),
              answer_value: v.optional(v.unknown()),
              question_type: v.optional(v.string()),
            }),
          ),
        ),
      }),
    ),
  }),
  v.description("A track call"),
);

const IdentifyCall = v.pipe(
  v.looseObject({
    type: v.literal("identify"),
    ...common,
    traits: v.optional(v.record(v.string(), v.unknown())),
  }),
  v.description("An identify call: its traits seed demographics"),
);

const SignalFreeCall = v.pipe(
  v.looseObject({ type: v.picklist(["page", "screen", "alias", "group"]), ...common }),
  v.description("Accepted and counted as ignored: no recommendation signal"),
);

const Call = v.union([TrackCall, IdentifyCall, SignalFreeCall]);

/** Body of the ingest routes (documentation; every item is read by `normalizeEvents`, one at a time). */
export const IngestBodySchema = v.union([
  Call,
  v.pipe(v.array(Call), v.description("An array of calls")),
  v.pipe(
    v.looseObject({ batch: v.array(Call), sentAt: v.optional(Timestamp) }),
    v.description("RudderStack's batch envelope"),
  ),
]);

/** Response of `POST /api/ingest` (and of RudderStack's `/v1/*` routes). */
export const IngestResponseSchema = v.object({
  status: v.literal("ok"),
  ingested: v.pipe(v.number(), v.description("Events newly stored.")),
  duplicates: v.pipe(
    v.number(),
    v.description("Events already stored (a re-delivered call): not stored twice."),
  ),
  ignored: v.pipe(v.number(), v.description("page, screen, alias and group calls: accepted, no signal.")),
  outside_window: v.pipe(v.number(), v.description("Events older than the event window: not stored.")),
  users: v.array(v.string()),
  rejected: v.pipe(
    v.array(v.object({ index: v.number(), reason: v.string() })),
    v.description("The first 100 rejected items, with their index and reason."),
  ),
  rejected_total: v.number(),
  rewards: v.pipe(
    v.number(),
    v.description(
      "Views that echoed a served list's request_id for one of its items: rewards, each counted once.",
    ),
  ),
  bandit_updates: v.pipe(
    v.number(),
    v.description("Rewards the bandit learned from (ranking_mode=bandit with bandit_online)."),
  ),
});

/** Response of `GET /api/metrics`. */
export const MetricsResponseSchema = v.object({
  result: v.object({
    ingests: v.number(),
    recommends: v.number(),
    cold: v.number(),
    warm: v.number(),
    pool_total: v.number(),
    distractor_requested: v.number(),
    distractor_placed: v.number(),
    cold_rate: v.number(),
    avg_pool: v.number(),
    distractor_rate: v.number(),
    source: v.literal("process"),
    feedback: v.array(
      v.object({
        strategy: v.string(),
        ranking: v.string(),
        variant: v.nullable(v.string()),
        lists: v.number(),
        impressions: v.number(),
        clicks: v.number(),
        ctr: v.number(),
        ctr_at: v.record(v.string(), v.number()),
        mean_reward: v.number(),
      }),
    ),
  }),
});

/** Response of `GET /api/policy`. */
export const PolicyResponseSchema = v.object({
  result: v.object({
    mode: v.string(),
    feature_order: v.array(v.string()),
    prior: v.array(v.number()),
    theta: v.array(v.number()),
    trained: v.boolean(),
    alpha: v.number(),
    ridge: v.number(),
    explore: v.boolean(),
    online: v.boolean(),
    health: v.object({
      n_updates: v.number(),
      confidence: v.array(v.number()),
      data: v.array(v.number()),
      no_data: v.array(v.string()),
      mean_confidence: v.number(),
      verdict: v.picklist(["cold", "learning", "converged"]),
    }),
  }),
});

/** A recommendation as answered (`GET /api/recommend`, `POST /api/recommend/preview`). */
export const RecommendationResultSchema = v.object({
  user_id: v.string(),
  request_id: v.string(),
  strategy: v.picklist(["warm", "cold"]),
  items: v.array(RecommendationItemSchema),
  diagnostics: v.record(v.string(), v.unknown()),
  filter: v.nullable(v.string()),
});

/** Response of `GET /api/recommend`. */
export const RecommendResponseSchema = v.object({ result: RecommendationResultSchema });

/** Response of `GET /api/usermodel`. */
export const UserModelResponseSchema = v.object({ result: v.nullable(UserSignalsSchema) });

/** Response of `GET /health`. */
export const HealthSchema = v.object({ status: v.literal("ok"), version: v.string() });

/** Response of `GET /ready`. */
export const ReadySchema = v.object({
  status: v.picklist(["ready", "unavailable"]),
  stores: v.record(v.string(), v.picklist(["ok", "unavailable"])),
});
