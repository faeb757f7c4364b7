import { RecommendationItemSchema, UserSignalsSchema } from "@recsys/ports";
import * as v from "valibot";

const trimmed = (name: string, max: number) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.trim(),
    v.minLength(1, `${name} must not be empty`),
    v.maxLength(max, `${name} is longer than ${max} characters`),
  );

const integerParam = (name: string, min: number, max: number) =>
  v.pipe(
    v.string(`${name} must be a single value`),
    v.trim(),
    v.regex(/^[0-9]{1,9}$/, `${name} must be an integer from ${min} to ${max}`),
    v.transform(Number),
    v.minValue(min, `${name} must be an integer from ${min} to ${max}`),
    v.maxValue(max, `${name} must be an integer from ${min} to ${max}`),
  );

const numberParam = (name: string, min: number, max: number) =>
  v.pipe(
    v.string(`${name} must be a single value`),
    v.trim(),
    v.regex(/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/, `${name} must be a number`),
    v.transform(Number),
    v.finite(`${name} must be a finite number`),
    v.minValue(min, `${name} must be between ${min} and ${max}`),
    v.maxValue(max, `${name} must be between ${min} and ${max}`),
  );

const booleanParam = (name: string) =>
  v.pipe(
    v.string(`${name} must be a single value`),
    v.trim(),
    v.toLowerCase(),
    v.picklist(["true", "false", "1", "0", "yes", "no"], `${name} must be true or false`),
    v.transform((value) => value === "true" || value === "1" || value === "yes"),
  );

/** Query of `GET /api/recommend`. */
export const RecommendQuerySchema = v.object({
  user_id: v.pipe(trimmed("user_id", 512), v.description("The user (RudderStack userId or anonymousId).")),
  limit: v.optional(
    v.pipe(
      integerParam("limit", 1, 50),
      v.description("Truncate the list (1..50), after the distractor is placed."),
    ),
  ),
  filter: v.optional(
    v.pipe(
      trimmed("filter", 256),
      v.description("Only items with this tag value, e.g. AiARLocationBarrack3."),
    ),
  ),
  near_lat: v.optional(
    v.pipe(
      numberParam("near_lat", -90, 90),
      v.description("Latitude of the visitor; with near_lon adds the geo scorer."),
    ),
  ),
  near_lon: v.optional(
    v.pipe(numberParam("near_lon", -180, 180), v.description("Longitude of the visitor.")),
  ),
  geo_radius_m: v.optional(
    v.pipe(
      numberParam("geo_radius_m", 0, 20_037_509),
      v.description("With near_lat/near_lon: only items within this many metres."),
    ),
  ),
  include_content: v.optional(
    v.pipe(booleanParam("include_content"), v.description("Include each item's content (default true).")),
  ),
});

/** Query of `GET /api/usermodel`. */
export const UserModelQuerySchema = v.object({
  user_id: v.pipe(trimmed("user_id", 512), v.description("The user.")),
});

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

/** Response of `POST /api/ingest`. */
export const IngestResponseSchema = v.object({
  status: v.literal("ok"),
  ingested: v.number(),
  users: v.array(v.string()),
  rejected: v.array(v.object({ index: v.number(), reason: v.string() })),
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
