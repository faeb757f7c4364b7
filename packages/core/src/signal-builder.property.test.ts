import { DEFAULT_REC_CONFIG, END_REASONS, type InteractionEvent } from "@recsys/ports";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildUserSignals } from "./signal-builder.js";
import { CONTENTS, event, NOW, VECTORS } from "./test-world.test-support.js";

const arbitraryEvent: fc.Arbitrary<InteractionEvent> = fc
  .record({
    name: fc.constantFrom("CONTENT_VIEW_STARTED", "CONTENT_VIEW_ENDED", "SURVEY_SUBMITTED", "OTHER"),
    minutesAgo: fc.integer({ min: 0, max: 60 * 24 * 90 }),
    content: fc.option(fc.constantFrom("101", "102", "201", "999"), { nil: null }),
    dwell: fc.option(fc.double({ min: 0, max: 500, noNaN: true }), { nil: null }),
    reason: fc.option(fc.constantFrom(...END_REASONS), { nil: null }),
    impressions: fc.array(fc.constantFrom("101", "301", "302"), { maxLength: 2 }),
    answers: fc.constantFrom({}, { "q:gender": "female" }, { rating: 5 }, { age: 40, country: "spain" }),
  })
  .map((r) =>
    event({
      event: r.name,
      ts: new Date(NOW - r.minutesAgo * 60_000).toISOString(),
      content_id: r.content,
      dwell_seconds: r.dwell,
      end_reason: r.reason,
      impressions: r.impressions,
      survey_answers: r.answers,
    }),
  );

describe("buildUserSignals properties", () => {
  it("gives the same model for the same input", () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 25 }), (events) => {
        const opts = { now: NOW, cfg: DEFAULT_REC_CONFIG };
        const a = buildUserSignals("u", events, CONTENTS, VECTORS, opts);
        const b = buildUserSignals("u", structuredClone(events), CONTENTS, VECTORS, opts);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        for (const value of Object.values(a.tag_affinity)) expect(value).toBeLessThanOrEqual(1);
        expect([...a.viewed].sort()).toEqual([...a.recent_views].sort());
      }),
    );
  });
});
