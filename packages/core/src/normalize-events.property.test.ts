import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEvents } from "./normalize-events.js";
import { eventTime } from "./time.js";

const now = Date.UTC(2026, 5, 10, 12);

const validEvent = fc.record({
  event: fc.constantFrom("CONTENT_VIEW_STARTED", "CONTENT_VIEW_ENDED", "SURVEY_SUBMITTED"),
  userId: fc.constantFrom("u1", "u2", "u3"),
  timestamp: fc
    .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) })
    .map((ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString()),
  properties: fc.record({ content: fc.integer({ min: 1, max: 20 }).map((n) => `content_${n}`) }),
});

/** Values a hostile or buggy client might put anywhere. */
const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.string(),
  fc.constant("2026-13-45T99:99:99Z"),
  fc.constant(""),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);

const malformed = fc.oneof(
  junk,
  validEvent.chain((event) =>
    fc
      .record({
        key: fc.constantFrom(
          "event",
          "userId",
          "anonymousId",
          "timestamp",
          "sentAt",
          "type",
          "traits",
          "properties",
          "sessionId",
        ),
        value: junk,
      })
      .map(({ key, value }) => ({ ...event, [key]: value })),
  ),
  validEvent.chain((event) =>
    fc
      .record({
        key: fc.constantFrom("content", "details", "context", "answers", "request_id"),
        value: fc.oneof(
          junk,
          fc.record({
            dwell_seconds: junk,
            reason: junk,
            content_id: junk,
            candidates: junk,
            session_id: junk,
          }),
          fc.array(fc.record({ question_id: junk, answer_value: junk, question_type: junk }), {
            maxLength: 3,
          }),
        ),
      })
      .map(({ key, value }) => ({ ...event, properties: { ...event.properties, [key]: value } })),
  ),
);

describe("normalizeEvents properties", () => {
  it("never throws on 1,000+ malformed payloads, and accounts for every item", () => {
    let seen = 0;
    fc.assert(
      fc.property(fc.array(malformed, { maxLength: 8 }), fc.boolean(), (items, envelope) => {
        seen += items.length;
        const result = normalizeEvents(envelope ? { batch: items } : items, { now });
        expect(result.events.length + result.rejected.length).toBe(items.length);
        const indexes = new Set(result.rejected.map((r) => r.index));
        expect(indexes.size).toBe(result.rejected.length);
        for (const r of result.rejected) expect(typeof r.reason).toBe("string");
      }),
      { numRuns: 400 },
    );
    expect(seen).toBeGreaterThanOrEqual(1000);
  });

  it("a shuffled event array normalises to the same sorted output", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(validEvent, { minLength: 1, maxLength: 12, selector: (e) => e.timestamp }),
        fc.integer(),
        (events, seed) => {
          const shuffled = [...events];
          let s = seed >>> 0;
          for (let i = shuffled.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          expect(normalizeEvents(shuffled, { now }).events).toEqual(normalizeEvents(events, { now }).events);
        },
      ),
    );
  });
  it("orders and windows events by the instant of their stored timestamp, whatever form it was sent in", () => {
    const day = 86_400_000;
    const sent = fc.integer({ min: now - 40 * day, max: now + 3_600_000 }).chain((ms) =>
      fc.constantFrom(
        { time: { timestamp: new Date(ms).toISOString() }, ms },
        { time: { timestamp: new Date(ms).toISOString().replace(".", ",").replace("Z", "+00:00") }, ms },
        { time: { timestamp: `${new Date(ms + 7_200_000).toISOString().slice(0, 23)}+02:00` }, ms },
        {
          time: { originalTimestamp: new Date(ms).toISOString().slice(0, 19) },
          ms: Math.floor(ms / 1000) * 1000,
        },
        { time: { sentAt: new Date(ms).toISOString() }, ms },
        { time: {}, ms: now },
      ),
    );
    fc.assert(
      fc.property(fc.array(sent, { maxLength: 12 }), (items) => {
        const result = normalizeEvents(
          items.map(({ time }, i) => ({
            event: "CONTENT_VIEW_STARTED",
            userId: "u1",
            properties: { content: `content_${i}` },
            ...time,
          })),
          { now, windowDays: 30 },
        );
        const kept = items.filter(({ ms }) => ms >= now - 30 * day).map(({ ms }) => ms);
        expect(result.events.map((event) => eventTime(event.ts))).toEqual(kept.sort((a, b) => a - b));
        expect(result.outsideWindow).toBe(items.length - kept.length);
      }),
      { numRuns: 300 },
    );
  });
});
