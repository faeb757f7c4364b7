import { DEFAULT_REC_CONFIG } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { buildUserSignals } from "./signal-builder.js";
import { CONTENTS, event, NOW, VECTORS, views } from "./test-world.test-support.js";

const cfg = DEFAULT_REC_CONFIG;
const HOUR = 3_600_000;
const build = (events: Parameters<typeof buildUserSignals>[1], demographics?: Record<string, unknown>) =>
  buildUserSignals("u1", events, CONTENTS, VECTORS, { now: NOW, cfg, demographics });

function expectClose(actual: Record<string, number>, expected: Record<string, number>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected))
    expect(Math.abs(actual[key]! - value)).toBeLessThan(1e-6);
}

describe("buildUserSignals: docs/behaviour.md Appendix B (the 101 + 102 user)", () => {
  const signals = build([
    ...views("u1", "101", 120, "next_button", NOW - HOUR),
    ...views("u1", "102", 120, "next_button", NOW - HOUR),
  ]);

  it("reproduces positives, affinity, vectors and behaviour to 1e-6", () => {
    expectClose(signals.positives, { "101": 0.777143, "102": 0.777143 });
    expect(signals.negatives).toEqual({});
    expectClose(signals.tag_affinity, {
      "theme_what:forced labor": 1.0,
      "theme_what:workshops": 0.4,
      "theme_what:work detail": 0.4,
      "theme_how.type_of_stores:personal stories": 0.5,
    });
    expect(signals.tag_aversion).toEqual({});
    expect(signals.taste_vector).toEqual([1, 0, 0, 0, 0, 0]);
    expect(signals.recency_vector).toEqual([1, 0, 0, 0, 0, 0]);
    expect(signals.viewed).toEqual(["101", "102"]);
    expect(signals.recent_views).toEqual(["101", "102"]);
    expect(signals.behavior).toEqual({
      n_views: 2,
      n_positive: 2,
      n_negative: 0,
      avg_dwell_ratio: 1.0,
      completion_rate: 1.0,
      revisit_rate: 0.0,
      depth: 1.0,
    });
    expect(signals.demographics).toEqual({});
  });
});

describe("buildUserSignals: counts", () => {
  it("counts the positives the model holds, also beside an id a record cannot hold as a key", () => {
    const s = build([
      ...views("u1", "101", 120, "next_button", NOW - HOUR),
      ...views("u1", "__proto__", 120, "next_button", NOW - HOUR),
    ]);
    expect(Object.keys(s.positives)).toEqual(["101"]);
    expect(s.behavior.n_positive).toBe(1);
    expect(s.viewed).toEqual(["101", "__proto__"]);
  });
});

describe("buildUserSignals: reference scenarios (§12 test_signal_builder)", () => {
  it("a 1 s abandon is a negative with aversion on its theme", () => {
    const s = build(views("u1", "201", 1, "abandon", NOW - HOUR));
    expect(Object.keys(s.negatives)).toEqual(["201"]);
    expect(s.positives).toEqual({});
    expect(s.tag_aversion["theme_what:family"]).toBe(1);
  });

  it("an old read weighs less than a recent one", () => {
    const recent = build(views("u1", "101", 120, "next_button", NOW - HOUR)).positives["101"]!;
    const old = build(views("u1", "101", 120, "next_button", NOW - 60 * 24 * HOUR)).positives["101"]!;
    expect(old).toBeLessThan(recent);
    const ageDays = (minutes: number) => minutes / 1440;
    expect(old / recent).toBeCloseTo(0.5 ** (ageDays(60 * 1440 - 2) / 14) / 0.5 ** (ageDays(58) / 14), 9);
  });

  it("an impression never opened becomes a soft negative without aversion", () => {
    const s = build([
      ...views("u1", "101", 120, "next_button", NOW - HOUR),
      event({ event: "RECS_SHOWN", ts: new Date(NOW).toISOString(), impressions: ["301", "101"] }),
    ]);
    expect(s.negatives).toEqual({ "301": 0.3 });
    expect(s.tag_aversion).toEqual({});
    expect(s.viewed).toEqual(["101"]);
    expect(s.behavior.n_negative).toBe(1);
  });

  it("recent_views is most recent first and the recency vector follows it", () => {
    const s = build([
      ...views("u1", "101", 120, "next_button", NOW - 3 * HOUR),
      ...views("u1", "201", 120, "next_button", NOW - HOUR),
    ]);
    expect(s.recent_views).toEqual(["201", "101"]);
    expect(s.recency_vector).toEqual([0, 1, 0, 0, 0, 0]);
  });

  it("pairs STARTED/ENDED without explicit dwell by their timestamps", () => {
    const started = event({ event: "CONTENT_VIEW_STARTED", ts: "2026-06-10T10:00:00Z", content_id: "101" });
    const ended = event({
      event: "CONTENT_VIEW_ENDED",
      ts: "2026-06-10T10:00:42Z",
      content_id: "101",
      end_reason: "link",
    });
    const s = build([started, ended]);
    expect(s.behavior.avg_dwell_ratio).toBeCloseTo(roundTo4(42 / (120 / 4.2) / 2), 10);
  });

  it("a neutral view is viewed but neither positive nor negative", () => {
    const s = build(views("u1", "201", 8, "close_button", NOW - HOUR));
    expect(s.viewed).toEqual(["201"]);
    expect(s.positives).toEqual({});
    expect(s.negatives).toEqual({});
  });

  it("an empty history gives an empty cold model with zero behaviour", () => {
    const s = build([]);
    expect(s.positives).toEqual({});
    expect(s.taste_vector).toBeNull();
    expect(s.behavior).toEqual({
      n_views: 0,
      n_positive: 0,
      n_negative: 0,
      avg_dwell_ratio: 0,
      completion_rate: 0,
      revisit_rate: 0,
      depth: 0,
    });
  });
});

function roundTo4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

describe("buildUserSignals: surveys and demographics, counted once (§5.5–§5.7 with the fix)", () => {
  const survey = (name: string, answers: Record<string, unknown>) =>
    event({ event: name, ts: "2026-06-10T11:00:00.000Z", survey_answers: answers });

  it("the §5.6 survey example: every field counted once", () => {
    const s = build([
      survey("SURVEY_SUBMITTED", {
        "q:age": "55_64",
        "q:gender": "female",
        "q:nationality": "dutch",
        "q:province": "Drenthe",
        "q:personalization_theme": ["forced_labour", "Family"],
      }),
    ]);
    // Reference (double-counted): gender 0.6, an extra `from: dutch` 0.4, province 1.0.
    expectClose(s.tag_affinity, {
      "person_who.age_group:age 55-64": 0.5,
      "person_who.gender_and_age:female": 0.3,
      "person_who.city_village_country:from: netherlands": 0.4,
      "person_who.province_netherlands:drenthe": 0.5,
      "theme_what:forced labor": 1.0,
      "theme_what:family": 1.0,
    });
    expect(s.demographics).toEqual({
      age: "55_64",
      gender: "female",
      nationality: "dutch",
      province: "Drenthe",
    });
  });

  it("the §5.6 identify example: numeric age bucketed once, gender and country once", () => {
    const s = build([survey("IDENTIFY", { age: 30, gender: "female", country: "netherlands" })]);
    // Reference (double-counted): from: netherlands 1.0, female 0.75, age 25-34 0.625.
    expectClose(s.tag_affinity, {
      "person_who.city_village_country:from: netherlands": 0.8,
      "person_who.gender_and_age:female": 0.6,
      "person_who.age_group:age 25-34": 1.0,
    });
    expect(s.demographics).toEqual({ age: 30, gender: "female", nationality: "netherlands" });
  });

  it("provider demographics seed age and gender keys and win in the stored demographics", () => {
    const s = build([], { age: 20, gender: "female", nationality: "dutch" });
    expectClose(s.tag_affinity, {
      "person_who.age_group:age 18-24": 1.0,
      "person_who.gender_and_age:female": 0.6,
      "person_who.city_village_country:from: dutch": 0.8,
    });
    const overlaid = build([survey("SURVEY_SUBMITTED", { "q:gender": "male" })], { gender: "female" });
    expect(overlaid.demographics).toEqual({ gender: "female" });
    expect(Object.keys(overlaid.tag_affinity)).toEqual(["person_who.gender_and_age:male"]);
  });

  it("repeated surveys accumulate, other events' answers are ignored", () => {
    const s = build([
      survey("SURVEY_ANSWERED", { "q:personalization_theme": "Liberation" }),
      survey("SURVEY_ANSWERED", { "q:personalization_theme": "Liberation", "q:province": "Utrecht" }),
      survey("SOMETHING_ELSE", { "q:personalization_theme": "Family" }),
    ]);
    expectClose(s.tag_affinity, {
      "theme_what:liberation": 1.0,
      "person_who.province_netherlands:utrecht": 0.25,
    });
  });

  it("camp-area tags never feed affinity", () => {
    const contents = new Map(CONTENTS);
    const base = CONTENTS.get("101")!;
    contents.set("101", {
      ...base,
      tags: [...base.tags, { facet: "place_where.camp_areas", label: "Barrack 3", weight: 1 }],
    });
    const s = buildUserSignals("u1", views("u1", "101", 120, "next_button", NOW - HOUR), contents, VECTORS, {
      now: NOW,
      cfg,
    });
    expect(Object.keys(s.tag_affinity).some((k) => k.startsWith("place_where"))).toBe(false);
  });
});
