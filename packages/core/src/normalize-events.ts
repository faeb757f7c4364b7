import { END_REASONS, type EndReason, type InteractionEvent, interactionEvent } from "@recsys/ports";
import { normalizeContentId } from "./ids.js";
import { formatTimestamp, type Instant, parseTimestamp, toEpochMs } from "./time.js";

/** An input item that could not be turned into an event. */
export interface RejectedEvent {
  /** Position of the item in the input list (in `batch` for an envelope; 0 for a single object). */
  readonly index: number;
  /** Why it was rejected, naming the field. */
  readonly reason: string;
}

/** Result of {@link normalizeEvents}. */
export interface NormalizeResult {
  /** Canonical events, sorted by timestamp (stable). */
  readonly events: InteractionEvent[];
  /** Items that could not be used, with their index and reason. */
  readonly rejected: RejectedEvent[];
}

/** Options of {@link normalizeEvents}. */
export interface NormalizeOptions {
  /** The time given to events that carry neither `timestamp` nor `sentAt`. */
  readonly now: Instant;
}

type Json = Record<string, unknown>;

class Reject extends Error {}

/** A prototype-free record, so keys like `__proto__` from payloads are plain data. */
function dictionary(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function objectField(parent: Json, key: string, path: string): Json {
  const value = parent[key];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new Reject(`${path} must be an object`);
  return value;
}

function idText(value: unknown, path: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new Reject(`${path} must be a string or number`);
}

function optionalId(value: unknown, path: string): string | null {
  const text = idText(value, path);
  return text === null ? null : normalizeContentId(text);
}

function userIdOf(item: Json): string {
  const userId = truthy(item.userId) ? idText(item.userId, "userId") : null;
  const id = userId ?? (truthy(item.anonymousId) ? idText(item.anonymousId, "anonymousId") : null);
  if (id === null || id.trim() === "") throw new Reject("missing userId and anonymousId");
  return id;
}

function timestampOf(item: Json, nowMs: number): string {
  const key = truthy(item.timestamp) ? "timestamp" : truthy(item.sentAt) ? "sentAt" : null;
  if (key === null) return formatTimestamp(nowMs);
  const value = item[key];
  if (typeof value !== "string") throw new Reject(`${key} must be an ISO-8601 string`);
  const ms = parseTimestamp(value);
  if (ms === null) throw new Reject(`${key} is not a valid ISO-8601 timestamp: ${JSON.stringify(value)}`);
  return formatTimestamp(ms);
}

function dwellOf(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  let n = Number.NaN;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && value.trim() !== "") n = Number(value);
  if (!Number.isFinite(n)) throw new Reject("properties.details.dwell_seconds must be a number");
  return n;
}

function parseFloatLike(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function answersOf(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) throw new Reject("properties.answers must be a list");
  const answers = dictionary();
  raw.forEach((answer, i) => {
    if (!isObject(answer)) throw new Reject(`properties.answers[${i}] must be an object`);
    const questionId = answer.question_id;
    const value = answer.answer_value;
    if (questionId !== undefined && questionId !== null && value !== undefined && value !== null) {
      const key = String(questionId);
      if (!Object.hasOwn(answers, key)) answers[key] = value;
      else {
        const existing = answers[key];
        answers[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
      }
    }
    if (answer.question_type === "rating" && value !== undefined && value !== null) {
      const rating = parseFloatLike(value);
      if (rating !== null) answers.rating = rating;
    }
  });
  return answers;
}

function impressionsOf(context: Json): string[] {
  const candidates = context.candidates;
  if (!Array.isArray(candidates)) return [];
  const ids: string[] = [];
  for (const candidate of candidates) {
    const raw = isObject(candidate) ? candidate.content_id : candidate;
    if (!truthy(raw) || (typeof raw !== "string" && typeof raw !== "number")) continue;
    const id = normalizeContentId(raw);
    if (id) ids.push(id);
  }
  return ids;
}

function normalizeIdentify(item: Json, nowMs: number): InteractionEvent {
  const userId = userIdOf(item);
  const traits = item.traits;
  if (traits !== undefined && traits !== null && !isObject(traits))
    throw new Reject("traits must be an object");
  const answers = dictionary();
  for (const [key, value] of Object.entries(traits ?? {})) if (value !== null) answers[key] = value;
  return interactionEvent({
    user_id: userId,
    event: "IDENTIFY",
    ts: timestampOf(item, nowMs),
    survey_answers: answers,
    raw: item,
  });
}

function normalizeTrack(item: Json, nowMs: number): InteractionEvent {
  if (!truthy(item.event)) throw new Reject("missing event name");
  if (typeof item.event !== "string") throw new Reject("event must be a string");
  const userId = userIdOf(item);
  const ts = timestampOf(item, nowMs);
  const properties = objectField(item, "properties", "properties");
  const details = objectField(properties, "details", "properties.details");
  const context = objectField(properties, "context", "properties.context");
  const content = properties.content;
  const contentId = isObject(content)
    ? optionalId(content.content_id, "properties.content.content_id")
    : optionalId(content, "properties.content");
  const sessionId =
    idText(context.session_id, "properties.context.session_id") ?? idText(item.sessionId, "sessionId");
  const requestId =
    idText(details.request_id, "properties.details.request_id") ??
    idText(context.request_id, "properties.context.request_id") ??
    idText(properties.request_id, "properties.request_id");
  const reason = details.reason;
  const endReason = (END_REASONS as readonly unknown[]).includes(reason) ? (reason as EndReason) : null;
  return {
    user_id: userId,
    event: item.event,
    ts,
    session_id: sessionId,
    request_id: requestId,
    content_id: contentId,
    dwell_seconds: dwellOf(details.dwell_seconds),
    end_reason: endReason,
    query_text: typeof details.query_text === "string" ? details.query_text : null,
    clicked_id: optionalId(details.clicked_id, "properties.details.clicked_id"),
    impressions: impressionsOf(context),
    survey_answers: answersOf(properties.answers),
    raw: item,
  };
}

function isIdentify(item: Json): boolean {
  return item.type === "identify" || (truthy(item.traits) && !truthy(item.event));
}

function itemsOf(raw: unknown): unknown[] | null {
  if (Array.isArray(raw)) return raw;
  if (!isObject(raw)) return null;
  if (Array.isArray(raw.batch) && !truthy(raw.event) && raw.type !== "identify") return raw.batch;
  return [raw];
}

/**
 * Normalise RudderStack payloads (docs/behaviour.md §4) into canonical events.
 *
 * Accepts a single track/identify object, an array of them, or the `{"batch": [...]}` envelope. Items that
 * cannot be used (no user id, no event name, an unparsable timestamp, a non-numeric dwell, a malformed
 * answers list, a non-object) are reported in `rejected` with their index; they never throw and never
 * affect the other items. Events come out sorted by timestamp (stable). Pure: `now` is only used for items
 * without any timestamp.
 *
 * @param raw - parsed JSON
 * @param options - `now`
 * @returns the events and the rejected items
 * @example
 * normalizeEvents({ event: "CONTENT_VIEW_STARTED", userId: "u1", timestamp: "2026-06-10T10:00:00Z",
 *   properties: { content: "content_101" } }, { now: Date.now() }).events[0].content_id // "101"
 */
export function normalizeEvents(raw: unknown, options: NormalizeOptions): NormalizeResult {
  const nowMs = toEpochMs(options.now);
  const items = itemsOf(raw);
  if (items === null) {
    return { events: [], rejected: [{ index: 0, reason: "expected a JSON object or array of objects" }] };
  }
  const keyed: { event: InteractionEvent; ms: number; index: number }[] = [];
  const rejected: RejectedEvent[] = [];
  items.forEach((item, index) => {
    if (!isObject(item)) {
      rejected.push({ index, reason: "event must be a JSON object" });
      return;
    }
    try {
      const event = isIdentify(item) ? normalizeIdentify(item, nowMs) : normalizeTrack(item, nowMs);
      keyed.push({ event, ms: Date.parse(event.ts), index });
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      rejected.push({ index, reason: error.message });
    }
  });
  keyed.sort((a, b) => a.ms - b.ms || a.index - b.index);
  return { events: keyed.map((k) => k.event), rejected };
}
