import {
  END_REASONS,
  type EndReason,
  type InteractionEvent,
  interactionEvent,
  isCanonicalEvent,
  MAX_ID_LENGTH,
} from "@recsys/ports";
import { normalizeContentId } from "./ids.js";
import {
  canonicalTimestampMs,
  eventTime,
  formatTimestamp,
  type Instant,
  parseTimestamp,
  toEpochMs,
} from "./time.js";

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
  /** Well-formed calls that carry no recommendation signal (`page`, `screen`, `alias`, `group`): accepted, not stored. */
  readonly ignored: number;
  /** Well-formed events older than the event window (with `windowDays`): not stored. */
  readonly outsideWindow: number;
}

/** Options of {@link normalizeEvents}. */
export interface NormalizeOptions {
  /** The ingest time: events that carry no timestamp get it; the window and the future limit count from it. */
  readonly now: Instant;
  /** The event window in days: older events are counted in `outsideWindow`, not returned (default: none). */
  readonly windowDays?: number | undefined;
  /** How far past `now` a timestamp may lie before the item is rejected (default one day; `Infinity` for none). */
  readonly maxFutureMs?: number | undefined;
}

/** RudderStack call types that are accepted but carry no recommendation signal. */
export const SIGNAL_FREE_TYPES: ReadonlySet<string> = new Set(["page", "screen", "alias", "group"]);

/** Fields of a call that change with every delivery attempt: left out of the stored raw call. */
const TRANSPORT_FIELDS = new Set(["sentAt", "receivedAt"]);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DAY_MS = 86_400_000;

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

/**
 * An id as text, by the one rule ingest and the read routes share: surrounding white space dropped, at
 * most MAX_ID_LENGTH characters, well-formed Unicode (a lone surrogate would merge distinct ids once
 * encoded as UTF-8). Numbers keep their digits (big ones arrive as text, see `parseEventsJson`).
 */
function idText(value: unknown, path: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  let text: string;
  if (typeof value === "string") text = value.trim();
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else throw new Reject(`${path} must be a string or number`);
  if (text === "") return null;
  if (text.length > MAX_ID_LENGTH) throw new Reject(`${path} is longer than ${MAX_ID_LENGTH} characters`);
  if (LONE_SURROGATE.test(text)) throw new Reject(`${path} is not well-formed Unicode (a lone surrogate)`);
  return text;
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

interface Clock {
  readonly nowMs: number;
  readonly maxFutureMs: number;
  /** The instant of the timestamp `timestampOf` read last (epoch ms), so it is not read again. */
  readMs: number;
}

/** The earliest and latest instants a stored timestamp can hold (years 0001 to 9999, in UTC). */
const EARLIEST = (() => {
  const date = new Date(0);
  date.setUTCFullYear(1, 0, 1); // Date.UTC would read year 1 as 1901
  return date.getTime();
})();
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function timestampOf(item: Json, clock: Clock): string {
  // RudderStack SDKs set `originalTimestamp` when the call is made and `sentAt` on each delivery attempt.
  const key = truthy(item.timestamp)
    ? "timestamp"
    : truthy(item.originalTimestamp)
      ? "originalTimestamp"
      : truthy(item.sentAt)
        ? "sentAt"
        : null;
  if (key === null) {
    clock.readMs = clock.nowMs;
    return formatTimestamp(clock.nowMs);
  }
  const value = item[key];
  if (typeof value !== "string") throw new Reject(`${key} must be an ISO-8601 string`);
  // What SDKs send is mostly canonical already: read once, and kept as sent (formatting it again would
  // give the same text).
  const canonical = canonicalTimestampMs(value);
  const ms = canonical ?? parseTimestamp(value);
  if (ms === null) throw new Reject(`${key} is not a valid ISO-8601 timestamp: ${JSON.stringify(value)}`);
  if (ms < EARLIEST || ms > LATEST) {
    throw new Reject(
      `${key} falls outside the years 0001–9999 once its offset is applied: ${JSON.stringify(value)}`,
    );
  }
  if (ms > clock.nowMs + clock.maxFutureMs) {
    throw new Reject(`${key} lies in the future: ${JSON.stringify(value)}`);
  }
  clock.readMs = ms;
  return canonical !== null ? value : formatTimestamp(ms);
}

function storedRaw(item: Json): Json {
  let transport = false;
  for (const key of TRANSPORT_FIELDS) transport ||= Object.hasOwn(item, key);
  if (!transport) return item;
  const out = dictionary();
  for (const [key, value] of Object.entries(item)) if (!TRANSPORT_FIELDS.has(key)) out[key] = value;
  return out;
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

/**
 * What most events carry: no impressions and no answers, one frozen value each for every event (two
 * objects fewer to make, and to freeze when the event is stored, per event). Typed as the event's
 * fields are; events are frozen once stored, so no reader changes them either way.
 */
const NO_IMPRESSIONS = Object.freeze([]) as unknown as string[];
const NO_ANSWERS = Object.freeze({}) as Record<string, unknown>;

function answersOf(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return NO_ANSWERS;
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
  if (!Array.isArray(candidates) || candidates.length === 0) return NO_IMPRESSIONS;
  const ids: string[] = [];
  for (const candidate of candidates) {
    const raw = isObject(candidate) ? candidate.content_id : candidate;
    if (!truthy(raw) || (typeof raw !== "string" && typeof raw !== "number")) continue;
    const id = normalizeContentId(raw);
    if (id) ids.push(id);
  }
  return ids;
}

function normalizeIdentify(item: Json, clock: Clock): InteractionEvent {
  const userId = userIdOf(item);
  const traits = item.traits;
  if (traits !== undefined && traits !== null && !isObject(traits))
    throw new Reject("traits must be an object");
  const answers = dictionary();
  for (const [key, value] of Object.entries(traits ?? {})) if (value !== null) answers[key] = value;
  return interactionEvent({
    user_id: userId,
    event: "IDENTIFY",
    ts: timestampOf(item, clock),
    survey_answers: answers,
    raw: storedRaw(item),
  });
}

function normalizeTrack(item: Json, clock: Clock): InteractionEvent {
  if (!truthy(item.event)) throw new Reject("missing event name");
  if (typeof item.event !== "string") throw new Reject("event must be a string");
  const userId = userIdOf(item);
  const ts = timestampOf(item, clock);
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
    raw: storedRaw(item),
  };
}

function isIdentify(item: Json): boolean {
  return item.type === "identify" || (truthy(item.traits) && !truthy(item.event));
}

/**
 * The calls of an ingest body: an array as it is, the items of a `{"batch": [...]}` envelope, or a single
 * call; null for anything else (a string, a number, null).
 * @param raw - parsed JSON
 */
export function callsOf(raw: unknown): unknown[] | null {
  if (Array.isArray(raw)) return raw;
  if (!isObject(raw)) return null;
  if (Array.isArray(raw.batch) && !truthy(raw.event) && raw.type !== "identify") return raw.batch;
  return [raw];
}

/**
 * Normalise RudderStack payloads (docs/behaviour.md §4) into canonical events.
 *
 * Accepts a single track/identify object, an array of them, or the `{"batch": [...]}` envelope; a canonical
 * event (every field of `InteractionEvent`, as the durable event log writes them) is taken as it is. Items that
 * cannot be used (no user id, no event name, an unparsable or unrepresentable timestamp, one in the
 * future, a non-numeric dwell, a malformed answers list, an id that is too long or not well-formed
 * Unicode, a non-object) are reported in `rejected` with their index; they never throw and never affect
 * the other items. `page`, `screen`, `alias` and `group` calls are counted in `ignored`; with `windowDays`,
 * events older than the window are counted in `outsideWindow`. Events come out sorted by timestamp
 * (stable). The time is `timestamp`, else `originalTimestamp` (set by RudderStack SDKs when the call is
 * made), else `sentAt`; the stored raw call leaves out `sentAt` and `receivedAt`, which change with every
 * delivery attempt, so a retried delivery is an exact replay (docs/behaviour.md §4).
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
  const clock: Clock = { nowMs, maxFutureMs: options.maxFutureMs ?? DAY_MS, readMs: Number.NaN };
  const oldest =
    options.windowDays === undefined ? Number.NEGATIVE_INFINITY : nowMs - options.windowDays * DAY_MS;
  const items = callsOf(raw);
  if (items === null) {
    return {
      events: [],
      rejected: [{ index: 0, reason: "expected a JSON object or array of objects" }],
      ignored: 0,
      outsideWindow: 0,
    };
  }
  const keyed: { event: InteractionEvent; ms: number; index: number }[] = [];
  const rejected: RejectedEvent[] = [];
  let ignored = 0;
  let outsideWindow = 0;
  items.forEach((item, index) => {
    if (!isObject(item)) {
      rejected.push({ index, reason: "event must be a JSON object" });
      return;
    }
    try {
      if (typeof item.type === "string" && SIGNAL_FREE_TYPES.has(item.type)) {
        ignored += 1;
        return;
      }
      // A canonical event (as the durable event log writes them) is taken as it is.
      let event: InteractionEvent;
      let ms: number;
      if (isCanonicalEvent(item)) {
        event = { ...item };
        ms = eventTime(event.ts);
      } else {
        event = isIdentify(item) ? normalizeIdentify(item, clock) : normalizeTrack(item, clock);
        ms = clock.readMs; // the instant its timestamp was read as
      }
      if (ms < oldest) {
        outsideWindow += 1;
        return;
      }
      keyed.push({ event, ms, index });
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      rejected.push({ index, reason: error.message });
    }
  });
  keyed.sort((a, b) => a.ms - b.ms || a.index - b.index);
  return { events: keyed.map((k) => k.event), rejected, ignored, outsideWindow };
}
