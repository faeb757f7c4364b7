import { RecommendationItemSchema, UserIdSchema, UserSignalsSchema } from "@recsys/ports";
import * as v from "valibot";

/** Query of `GET /api/usermodel`. */
export const UserModelQuerySchema = v.object({ user_id: UserIdSchema });

/** An error body. */
export const ErrorSchema = v.object({
  error: v.object({ code: v.string(), message: v.string(), details: v.optional(v.unknown()) }),
});

/** Body of `POST /api/ingest` (documented shape; validated by `normalizeEvents`). */
export const IngestBodySchema = v.union([
  v.pipe(
    v.record(v.string(), v.unknown()),
    v.description('One RudderStack track or identify call, or {"batch": [...]}'),
  ),
  v.pipe(v.array(v.record(v.string(), v.unknown())), v.description("An array of RudderStack calls")),
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
});

/** Response of `GET /api/recommend`. */
export const RecommendResponseSchema = v.object({
  result: v.object({
    user_id: v.string(),
    request_id: v.string(),
    strategy: v.picklist(["warm", "cold"]),
    items: v.array(RecommendationItemSchema),
    diagnostics: v.record(v.string(), v.unknown()),
    filter: v.nullable(v.string()),
  }),
});

/** Response of `GET /api/usermodel`. */
export const UserModelResponseSchema = v.object({ result: v.nullable(UserSignalsSchema) });

/** Response of `GET /health`. */
export const HealthSchema = v.object({ status: v.literal("ok"), version: v.string() });

/** Response of `GET /ready`. */
export const ReadySchema = v.object({
  status: v.picklist(["ready", "unavailable"]),
  stores: v.record(v.string(), v.picklist(["ok", "unavailable"])),
});
