import * as v from "valibot";
import { type ParseResult, safeParseWith } from "./issues.js";

/** How a content view ended; any other value is treated as "no reason" (`null`). */
export const END_REASONS = ["next_button", "link", "close_button", "abandon"] as const;

/** One of {@link END_REASONS}. */
export type EndReason = (typeof END_REASONS)[number];

/**
 * Schema of a canonical interaction event (docs/behaviour.md §2).
 *
 * `ts` is an ISO-8601 UTC timestamp (`2026-06-10T11:00:00.000Z`); `content_id` and `clicked_id` are
 * already id-normalised; `raw` holds the untouched source payload.
 */
export const InteractionEventSchema = v.object({
  user_id: v.pipe(v.string(), v.minLength(1)),
  event: v.pipe(v.string(), v.minLength(1)),
  ts: v.pipe(v.string(), v.isoTimestamp()),
  session_id: v.optional(v.nullable(v.string()), null),
  request_id: v.optional(v.nullable(v.string()), null),
  content_id: v.optional(v.nullable(v.string()), null),
  dwell_seconds: v.optional(v.nullable(v.pipe(v.number(), v.finite())), null),
  end_reason: v.optional(v.nullable(v.picklist(END_REASONS)), null),
  query_text: v.optional(v.nullable(v.string()), null),
  clicked_id: v.optional(v.nullable(v.string()), null),
  impressions: v.optional(v.array(v.string()), []),
  survey_answers: v.optional(v.record(v.string(), v.unknown()), {}),
  raw: v.optional(v.record(v.string(), v.unknown()), {}),
});

/** A canonical interaction event. */
export type InteractionEvent = v.InferOutput<typeof InteractionEventSchema>;

/** The fields of an {@link InteractionEvent} in their canonical (and stored) order. */
export const INTERACTION_EVENT_FIELDS = [
  "user_id",
  "event",
  "ts",
  "session_id",
  "request_id",
  "content_id",
  "dwell_seconds",
  "end_reason",
  "query_text",
  "clicked_id",
  "impressions",
  "survey_answers",
  "raw",
] as const satisfies readonly (keyof InteractionEvent)[];

/**
 * The canonical JSON of an event: fields in {@link INTERACTION_EVENT_FIELDS} order, so the same event
 * always serialises to the same string (stores use it to deduplicate exact replays). An event must not be
 * changed after it was first serialised.
 * @param event - the event
 * @returns its JSON text
 */
export function canonicalEventJson(event: InteractionEvent): string {
  // Events are never changed once made: each one is serialised once (stores and the updater's
  // rebuild-until-stable check ask for the same event's text several times per ingest).
  let json = canonical.get(event);
  if (json === undefined) {
    const ordered: Record<string, unknown> = {};
    for (const field of INTERACTION_EVENT_FIELDS) ordered[field] = event[field];
    json = JSON.stringify(ordered);
    canonical.set(event, json);
  }
  return json;
}

/** The canonical JSON of each event object already serialised. */
const canonical = new WeakMap<InteractionEvent, string>();

/**
 * Buffer order of events: ascending timestamp, then canonical JSON (the order a Redis sorted set keeps,
 * so every event store returns a user's events in the same order).
 * @param a - an event with its canonical JSON and epoch milliseconds
 * @param b - another
 */
export function compareBufferedEvents(
  a: { readonly ms: number; readonly json: string },
  b: { readonly ms: number; readonly json: string },
): number {
  return a.ms - b.ms || (a.json < b.json ? -1 : a.json > b.json ? 1 : 0);
}

/**
 * An event with every optional field at its default (null, `[]` or `{}`), keys in canonical order.
 * @param fields - at least `user_id`, `event` and `ts`
 * @returns a complete event
 * @example interactionEvent({ user_id: "u1", event: "CONTENT_VIEW_STARTED", ts: "2026-06-10T10:00:00.000Z", content_id: "101" })
 */
export function interactionEvent(
  fields: Partial<InteractionEvent> & Pick<InteractionEvent, "user_id" | "event" | "ts">,
): InteractionEvent {
  const event: InteractionEvent = {
    user_id: fields.user_id,
    event: fields.event,
    ts: fields.ts,
    session_id: null,
    request_id: null,
    content_id: null,
    dwell_seconds: null,
    end_reason: null,
    query_text: null,
    clicked_id: null,
    impressions: [],
    survey_answers: {},
    raw: {},
  };
  return Object.assign(event, fields);
}

/**
 * Validate a stored or received canonical event (after its `ts` has been normalised).
 * @param value - parsed JSON
 * @returns the typed event, or a message describing the first problem
 */
export function safeParseInteractionEvent(value: unknown): ParseResult<InteractionEvent> {
  return safeParseWith(InteractionEventSchema, value, "event");
}

const CANONICAL_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const nullableString = (value: unknown) => value === null || typeof value === "string";
const isRecord = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Whether a parsed value is already a canonical event, exactly as recsys stores it (every field present
 * with its type, the timestamp in canonical UTC form): a fast check for reading a buffer back, where a
 * full schema validation per event dominates the cost. A value that fails it may still be a readable
 * event (written by the Python service, say): validate it with {@link safeParseInteractionEvent}.
 * @param value - parsed JSON
 */
export function isCanonicalEvent(value: unknown): value is InteractionEvent {
  if (!isRecord(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.user_id === "string" &&
    e.user_id !== "" &&
    typeof e.event === "string" &&
    e.event !== "" &&
    typeof e.ts === "string" &&
    CANONICAL_TS.test(e.ts) &&
    nullableString(e.session_id) &&
    nullableString(e.request_id) &&
    nullableString(e.content_id) &&
    (e.dwell_seconds === null || (typeof e.dwell_seconds === "number" && Number.isFinite(e.dwell_seconds))) &&
    (e.end_reason === null || (END_REASONS as readonly unknown[]).includes(e.end_reason)) &&
    nullableString(e.query_text) &&
    nullableString(e.clicked_id) &&
    Array.isArray(e.impressions) &&
    e.impressions.every((id) => typeof id === "string") &&
    isRecord(e.survey_answers) &&
    isRecord(e.raw)
  );
}
