import { interactionEvent } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { normalizeEvents } from "./normalize-events.js";

const now = Date.UTC(2026, 5, 10, 12);
const norm = (raw: unknown) => normalizeEvents(raw, { now });

const view = (extra: Record<string, unknown> = {}) => ({
  type: "track",
  event: "CONTENT_VIEW_ENDED",
  userId: "u1",
  timestamp: "2026-06-10T10:00:00Z",
  properties: {
    content: { content_id: "content_841" },
    details: { reason: "next_button", dwell_seconds: 42 },
  },
  ...extra,
});

describe("normalizeEvents: track calls (docs/behaviour.md §4.3)", () => {
  it("maps a CONTENT_VIEW_ENDED with a content object and a reason", () => {
    const { events, rejected } = norm(view());
    expect(rejected).toEqual([]);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      user_id: "u1",
      event: "CONTENT_VIEW_ENDED",
      ts: "2026-06-10T10:00:00.000Z",
      content_id: "841",
      end_reason: "next_button",
      dwell_seconds: 42,
      impressions: [],
    });
    expect(e.raw).toEqual(view());
  });

  it("accepts bare ids for content and candidates", () => {
    const { events } = norm({
      event: "CONTENT_VIEW_STARTED",
      anonymousId: "anon-7",
      timestamp: "2026-06-10T10:00:00Z",
      properties: { content: "content_2669", context: { candidates: ["content_101", "102", "", null] } },
    });
    expect(events[0]).toMatchObject({ user_id: "anon-7", content_id: "2669", impressions: ["101", "102"] });
  });

  it("reads candidate objects, session, request and lookup fields", () => {
    const { events } = norm({
      event: "CONTENT_LOOKUP",
      userId: 42,
      sentAt: "2026-06-10T09:00:00+02:00",
      sessionId: "top-level",
      properties: {
        request_id: "r-prop",
        context: { candidates: [{ content_id: "content_200" }, { content_id: 300 }], session_id: "s1" },
        details: {
          query_text: "barrack",
          clicked_id: "content_77",
          reason: "apply_button",
          dwell_seconds: "12.5",
        },
      },
    });
    expect(events[0]).toMatchObject({
      user_id: "42",
      ts: "2026-06-10T07:00:00.000Z",
      session_id: "s1",
      request_id: "r-prop",
      impressions: ["200", "300"],
      query_text: "barrack",
      clicked_id: "77",
      end_reason: null,
      dwell_seconds: 12.5,
    });
  });

  it("prefers details.request_id, then context.request_id, then properties.request_id", () => {
    const ev = (properties: Record<string, unknown>) => norm({ ...view(), properties }).events[0]!.request_id;
    expect(ev({ request_id: "c", context: { request_id: "b" }, details: { request_id: "a" } })).toBe("a");
    expect(ev({ request_id: "c", context: { request_id: "b" } })).toBe("b");
    expect(ev({ request_id: "c" })).toBe("c");
  });

  it("collects survey answers, repeated question ids into lists, and the last rating", () => {
    const { events } = norm({
      event: "SURVEY_SUBMITTED",
      userId: "u1",
      timestamp: "2026-06-10T10:00:00Z",
      properties: {
        answers: [
          { question_id: "q:age", answer_value: "55_64", answer_id: "x" },
          { question_id: "q:theme", answer_value: "Family" },
          { question_id: "q:theme", answer_value: "Liberation" },
          { question_id: "q:theme", answer_value: "Resistance" },
          { question_id: "q:skip", answer_value: null },
          { question_id: "stars", answer_value: "4", question_type: "rating" },
          { question_id: "stars2", answer_value: 2, question_type: "rating" },
        ],
      },
    });
    expect(events[0]!.survey_answers).toEqual({
      "q:age": "55_64",
      "q:theme": ["Family", "Liberation", "Resistance"],
      stars: "4",
      stars2: 2,
      rating: 2,
    });
  });
});

describe("normalizeEvents: identify calls (docs/behaviour.md §4.2)", () => {
  it("turns traits into answers, dropping nulls", () => {
    const { events } = norm({
      type: "identify",
      userId: "u9",
      timestamp: "2026-06-10T10:00:00Z",
      traits: { age: 30, gender: "female", email: null },
      context: { traits: { ignored: true } },
    });
    expect(events[0]).toMatchObject({
      event: "IDENTIFY",
      user_id: "u9",
      survey_answers: { age: 30, gender: "female" },
    });
  });
  it("treats an object with traits and no event as identify", () => {
    expect(norm({ anonymousId: "a", traits: { country: "netherlands" } }).events[0]!.event).toBe("IDENTIFY");
  });
});

describe("normalizeEvents: envelopes, sorting and timestamps", () => {
  it("unpacks the {batch: [...]} envelope with indexes into the batch", () => {
    const { events, rejected } = norm({ batch: [view(), { event: "X" }, view({ userId: "u2" })] });
    expect(events.map((e) => e.user_id)).toEqual(["u1", "u2"]);
    expect(rejected).toEqual([{ index: 1, reason: "missing userId and anonymousId" }]);
  });

  it("sorts by timestamp, stable for ties", () => {
    const { events } = norm([
      view({ timestamp: "2026-06-10T10:00:02Z", userId: "c" }),
      view({ timestamp: "2026-06-10T10:00:00Z", userId: "a" }),
      view({ timestamp: "2026-06-10T10:00:02Z", userId: "d" }),
      view({ timestamp: "2026-06-10T12:00:01+02:00", userId: "b" }),
    ]);
    expect(events.map((e) => e.user_id)).toEqual(["a", "b", "c", "d"]);
  });

  it("reads an offset-less timestamp as UTC and a date as midnight UTC", () => {
    expect(norm(view({ timestamp: "2026-06-10T10:00:00" })).events[0]!.ts).toBe("2026-06-10T10:00:00.000Z");
    expect(norm(view({ timestamp: "2026-06-10" })).events[0]!.ts).toBe("2026-06-10T00:00:00.000Z");
    expect(norm(view({ timestamp: "2026-06-10 10:00:00.123456-0130" })).events[0]!.ts).toBe(
      "2026-06-10T11:30:00.123Z",
    );
  });

  it("uses now when there is no timestamp at all", () => {
    expect(norm(view({ timestamp: undefined })).events[0]!.ts).toBe("2026-06-10T12:00:00.000Z");
  });

  it("rejects unusable items with their index and a reason naming the field, keeping the others", () => {
    const { events, rejected } = norm([
      view(),
      view({ timestamp: "yesterday" }),
      view({ timestamp: 1718000000 }),
      view({ properties: { details: { dwell_seconds: "long" } } }),
      view({ properties: { answers: "nope" } }),
      view({ properties: { answers: [1] } }),
      view({ event: "" }),
      view({ userId: undefined }),
      "a string",
      view({ timestamp: "2026-02-30T10:00:00Z" }),
      view({ sessionId: { nested: true } }),
      view({ properties: { details: { dwell_seconds: "Infinity" } } }),
    ]);
    expect(events).toHaveLength(1);
    expect(rejected).toEqual([
      { index: 1, reason: 'timestamp is not a valid ISO-8601 timestamp: "yesterday"' },
      { index: 2, reason: "timestamp must be an ISO-8601 string" },
      { index: 3, reason: "properties.details.dwell_seconds must be a number" },
      { index: 4, reason: "properties.answers must be a list" },
      { index: 5, reason: "properties.answers[0] must be an object" },
      { index: 6, reason: "missing event name" },
      { index: 7, reason: "missing userId and anonymousId" },
      { index: 8, reason: "event must be a JSON object" },
      { index: 9, reason: 'timestamp is not a valid ISO-8601 timestamp: "2026-02-30T10:00:00Z"' },
      { index: 10, reason: "sessionId must be a string or number" },
      { index: 11, reason: "properties.details.dwell_seconds must be a number" },
    ]);
  });

  it("rejects a top-level scalar as one item", () => {
    expect(norm(42)).toEqual({
      events: [],
      rejected: [{ index: 0, reason: "expected a JSON object or array of objects" }],
      ignored: 0,
      outsideWindow: 0,
    });
  });

  it("keeps __proto__ keys as plain data", () => {
    const raw = JSON.parse('{"type":"identify","userId":"u","traits":{"__proto__":{"x":1},"age":3}}');
    const answers = norm(raw).events[0]!.survey_answers;
    expect(Object.keys(answers).sort()).toEqual(["__proto__", "age"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("canonical events (the durable event log's lines)", () => {
  it("are taken as they are, mixed with RudderStack calls; the window still applies", () => {
    const canonical = interactionEvent({
      user_id: "u",
      event: "CONTENT_VIEW_ENDED",
      ts: "2026-06-10T09:00:00.000Z",
      content_id: "101",
      dwell_seconds: 12,
      end_reason: "close_button",
      request_id: "r1",
      raw: { messageId: "m1", anonymousId: "a" },
    });
    const now = Date.UTC(2026, 5, 10, 12);
    const result = normalizeEvents(
      [canonical, { event: "CONTENT_VIEW_STARTED", userId: "u", timestamp: "2026-06-10T08:00:00Z" }],
      { now, windowDays: 30 },
    );
    expect(result.rejected).toEqual([]);
    expect(result.events[1]).toEqual(canonical);
    expect(result.events[0]!.event).toBe("CONTENT_VIEW_STARTED");
    const old = { ...canonical, ts: "2026-01-01T00:00:00.000Z" };
    expect(normalizeEvents([old], { now, windowDays: 30 }).outsideWindow).toBe(1);
  });
});
