import { eventTime, formatTimestamp } from "@recsys/core/time";
import { END_REASONS, type EndReason, type InteractionEvent } from "@recsys/ports";

/** Event names written as a number (their index): never reorder, only append. */
const EVENT_CODES = [
  "CONTENT_VIEW_STARTED",
  "CONTENT_VIEW_ENDED",
  "SURVEY_SUBMITTED",
  "IDENTIFY",
  "SURVEY_ANSWERED",
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A lower-case UUID as `~` and its 16 bytes in base64url (23 characters); `~` ids escaped as `~~…`. */
function packMessageId(id: unknown): string | number | null {
  if (typeof id === "number") return Number.isFinite(id) ? id : null;
  if (typeof id !== "string") return null;
  if (UUID.test(id)) return `~${Buffer.from(id.replaceAll("-", ""), "hex").toString("base64url")}`;
  return id.startsWith("~") ? `~${id}` : id;
}

function unpackMessageId(packed: unknown): string | number | null {
  if (typeof packed === "number") return packed;
  if (typeof packed !== "string") return null;
  if (packed.startsWith("~~")) return packed.slice(1);
  if (packed.startsWith("~") && packed.length === 23) {
    const hex = Buffer.from(packed.slice(1), "base64url").toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return packed;
}

/**
 * The compact member of an event: a JSON array
 * `[event, tsMs, content_id, dwell_seconds, end_reason, messageId, session_id, request_id, extra]` with
 * trailing nulls dropped; well-known event names and the end reasons are written as their index, a
 * lower-case UUID `messageId` as 23 characters. The user id is the key's; of the raw call only
 * `messageId` is kept (the model builder counts a call once by it); `extra` holds the rarer fields (`q`
 * query text, `k` clicked id, `i` impressions, `a` survey answers) when set. A view event with a UUID
 * `messageId` takes about 50 bytes, under Redis's 64-byte limit for the listpack encoding. The same event
 * always gives the same member, so exact replays still collapse in the sorted set.
 * @param event - a canonical event
 */
export function encodeCompactEvent(event: InteractionEvent): string {
  const extra: Record<string, unknown> = {};
  if (event.query_text !== null) extra.q = event.query_text;
  if (event.clicked_id !== null) extra.k = event.clicked_id;
  if (event.impressions.length > 0) extra.i = event.impressions;
  if (Object.keys(event.survey_answers).length > 0) extra.a = event.survey_answers;
  const code = (EVENT_CODES as readonly string[]).indexOf(event.event);
  const reason = event.end_reason === null ? -1 : END_REASONS.indexOf(event.end_reason);
  const fields: unknown[] = [
    code >= 0 ? code : event.event,
    eventTime(event.ts),
    event.content_id,
    event.dwell_seconds,
    reason >= 0 ? reason : null,
    packMessageId(event.raw.messageId),
    event.session_id,
    event.request_id,
    Object.keys(extra).length > 0 ? extra : null,
  ];
  while (fields[fields.length - 1] === null) fields.pop();
  return JSON.stringify(fields);
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * The event a compact member stands for, or null when the value is not one (or is damaged).
 * @param userId - the user whose key held the member
 * @param value - the parsed member
 */
export function decodeCompactEvent(userId: string, value: unknown): InteractionEvent | null {
  if (!Array.isArray(value)) return null;
  const [code, ms, contentId, dwell, reason, messageId, sessionId, requestId, extra] = value as unknown[];
  const name = typeof code === "number" ? EVENT_CODES[code] : code;
  if (typeof name !== "string" || name === "" || typeof ms !== "number" || !Number.isFinite(ms)) return null;
  const more = (typeof extra === "object" && extra !== null ? extra : {}) as Record<string, unknown>;
  const id = unpackMessageId(messageId);
  return {
    user_id: userId,
    event: name,
    ts: formatTimestamp(ms),
    session_id: text(sessionId),
    request_id: text(requestId),
    content_id: text(contentId),
    dwell_seconds: typeof dwell === "number" && Number.isFinite(dwell) ? dwell : null,
    end_reason: typeof reason === "number" ? ((END_REASONS[reason] as EndReason | undefined) ?? null) : null,
    query_text: text(more.q),
    clicked_id: text(more.k),
    impressions: Array.isArray(more.i) ? more.i.filter((i): i is string => typeof i === "string") : [],
    survey_answers:
      typeof more.a === "object" && more.a !== null && !Array.isArray(more.a)
        ? (more.a as Record<string, unknown>)
        : {},
    raw: id === null ? {} : { messageId: id },
  };
}
