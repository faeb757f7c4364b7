import { historyOf } from "@recsys/core";
import { type Content, interactionEvent } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { BB_POINTS } from "./bb-fixtures.js";
import { contentsOf } from "./catalog.js";

const contents = new Map<string, Content>(contentsOf(BB_POINTS).map((c) => [c.id, c]));
const at = (minute: number) => new Date(Date.UTC(2026, 5, 10, 9, minute)).toISOString();
const e = (minute: number, event: string, extra: Record<string, unknown> = {}) =>
  interactionEvent({ user_id: "v", event, ts: at(minute), ...extra });

describe("a visitor's history (docs/behaviour.md §6.17)", () => {
  it("sessions by markers or 30-minute gaps, per-item outcomes, events newest first", () => {
    const events = [
      e(0, "SESSION_STARTED", { session_id: "s1" }),
      e(1, "CONTENT_VIEW_STARTED", { content_id: "101", session_id: "s1" }),
      e(3, "CONTENT_VIEW_ENDED", {
        content_id: "101",
        dwell_seconds: 120,
        end_reason: "next_button",
        session_id: "s1",
      }),
      e(4, "SURVEY_SUBMITTED", { survey_answers: { age_group: "25_34" }, session_id: "s1" }),
      e(50, "CONTENT_VIEW_STARTED", { content_id: "201", session_id: "s1" }), // a marker session is not split by gaps
      e(51, "SESSION_ENDED", { session_id: "s1" }),
      // no markers from here: a gap over 30 minutes starts a new session
      e(55, "CONTENT_VIEW_STARTED", { content_id: "101" }),
      e(56, "CONTENT_VIEW_ENDED", { content_id: "101", dwell_seconds: 40, end_reason: "close_button" }),
      e(120, "CONTENT_VIEW_ENDED", {
        content_id: "301",
        dwell_seconds: 2,
        end_reason: "abandon",
        request_id: "r9",
      }),
    ];
    const history = historyOf(
      "v",
      events,
      { positives: { "101": 0.7 }, negatives: { "301": 0.2 } },
      contents,
      4,
    );
    expect(history.event_count).toBe(9);
    expect(history.sessions).toEqual([
      {
        session_id: null,
        start: at(120),
        end: at(120),
        delimited_by: "gap",
        events: 1,
        items: 1,
        surveys: 0,
      },
      { session_id: null, start: at(55), end: at(56), delimited_by: "gap", events: 2, items: 1, surveys: 0 },
      {
        session_id: "s1",
        start: at(0),
        end: at(51),
        delimited_by: "marker",
        events: 6,
        items: 2,
        surveys: 1,
      },
    ]);
    expect(history.aggregates).toEqual([
      {
        content_id: "301",
        title: "Liberation by the British Army",
        visits: 1,
        dwell_seconds: 2,
        end_reason: "abandon",
        last_ts: at(120),
        outcome: "negative",
      },
      {
        content_id: "101",
        title: "Forced labour in the textile workshop",
        visits: 2,
        dwell_seconds: 120,
        end_reason: "close_button",
        last_ts: at(56),
        outcome: "positive",
      },
      {
        content_id: "201",
        title: "Children in the women's camp",
        visits: 1,
        dwell_seconds: null,
        end_reason: null,
        last_ts: at(50),
        outcome: "neutral",
      },
    ]);
    expect(history.events.map((x) => [x.ts, x.event])).toEqual([
      [at(120), "CONTENT_VIEW_ENDED"],
      [at(56), "CONTENT_VIEW_ENDED"],
      [at(55), "CONTENT_VIEW_STARTED"],
      [at(51), "SESSION_ENDED"],
    ]);
    expect(history.events[0]).toMatchObject({
      request_id: "r9",
      title: "Liberation by the British Army",
      meta: {},
    });
    const survey = historyOf("v", events, null, contents).events.find((x) => x.event === "SURVEY_SUBMITTED")!;
    expect(survey.meta).toEqual({ answers: { age_group: "25_34" } });
  });
});
