import { explainUser, Recommender, resolveConfig, UserModelUpdater } from "@recsys/core";
import type { Content, EndReason } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { BB_NOW, createBBContentStore, viewEvents } from "./bb-fixtures.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

const HOUR = 3_600_000;

/** A model built from views on the BB fixtures, and the contents explain reads. */
async function visitor(views: [string, number, EndReason][]) {
  const contentStore = createBBContentStore();
  const events = views.flatMap(([id, dwell, reason], i) =>
    viewEvents("v", id, dwell, reason, BB_NOW - HOUR + i * 5 * 60_000),
  );
  const updater = new UserModelUpdater({
    contentStore,
    modelStore: new InMemoryUserModelStore(),
    cfg: resolveConfig({}),
  });
  const signals = await updater.build("v", events, { now: BB_NOW });
  const ids = [
    ...new Set([
      ...Object.keys(signals.positives),
      ...Object.keys(signals.negatives),
      ...signals.recent_views,
    ]),
  ];
  const [hits = []] = await contentStore.query([{ kind: "ids", ids }]);
  const contents = new Map<string, Content>(hits.flatMap((h) => (h.content ? [[h.id, h.content]] : [])));
  return explainUser(signals, contents, { verbalize: true });
}

describe("the persona of a visitor (docs/behaviour.md §6.15)", () => {
  it("three full reads of 101, 102, 103: Hobbyist 0.6609 over Recharger 0.2667 (confidence 0.3942), deep reader, cognitive", async () => {
    const persona = await visitor([
      ["101", 120, "next_button"],
      ["102", 120, "next_button"],
      ["103", 120, "next_button"],
    ]);
    expect(persona.visitor_type).toMatchObject({ type: "Hobbyist", confidence: 0.3942 });
    expect(persona.visitor_type.scores).toEqual({
      Hobbyist: 0.6609,
      Explorer: 0,
      "Experience-Seeker": 0,
      Recharger: 0.2667,
      Facilitator: 0,
    });
    expect(persona.engagement_style).toBe("deep_reader");
    expect(persona.experience_preference).toBe("cognitive");
  });

  it("three quick close or abandon views across themes: Experience-Seeker, sampler", async () => {
    const persona = await visitor([
      ["101", 3, "close_button"],
      ["201", 2, "abandon"],
      ["301", 3, "close_button"],
    ]);
    expect(persona.visitor_type.type).toBe("Experience-Seeker");
    expect(persona.engagement_style).toBe("sampler");
  });

  it("the Appendix B visitor, with the summary", async () => {
    const persona = await visitor([
      ["101", 120, "next_button"],
      ["102", 120, "next_button"],
    ]);
    // breadth 0 (one theme); depth 1; n = 2: few = 5/6, many = 0.4; cognitive share 1.8 / 2.3
    expect(persona.visitor_type).toEqual({
      type: "Hobbyist",
      confidence: 0.2232,
      rationale: "stays with one subject and reads it in depth",
      scores: { Hobbyist: 0.5565, Explorer: 0, "Experience-Seeker": 0, Recharger: 0.3333, Facilitator: 0 },
    });
    expect(persona.interests).toEqual([
      { facet: "theme_what", label: "forced labor", weight: 1, evidence: ["101", "102"] },
      { facet: "theme_how.type_of_stores", label: "personal stories", weight: 0.5, evidence: ["101", "102"] },
      { facet: "theme_what", label: "work detail", weight: 0.4, evidence: ["102"] },
      { facet: "theme_what", label: "workshops", weight: 0.4, evidence: ["101"] },
    ]);
    expect(persona).toMatchObject({
      is_cold: false,
      aversions: [],
      engagement_style: "deep_reader",
      experience_preference: "cognitive",
      trajectory: ["Forced Labor"],
    });
    expect(persona.summary).toBe(
      "Engaged with 2 stories: 2 held attention, 0 dismissed. Reads to about 100% of the estimated time, finishing 100%. " +
        "Strongest pull toward forced labor (2), personal stories (2), work detail (1). Recent path: Forced Labor. " +
        "Reads stories through to the end; reads like a hobbyist.",
    );
  });

  it("a cold visitor: Hobbyist with confidence 0 and the new-visitor sentence", async () => {
    const persona = await visitor([]);
    expect(persona.visitor_type).toMatchObject({ type: "Hobbyist", confidence: 0 });
    expect(persona).toMatchObject({
      is_cold: true,
      engagement_style: "unknown",
      experience_preference: "unknown",
    });
    expect(persona.summary).toMatch(/^New visitor, no engagement yet/);
  });
});

describe("the reason line of each served item (docs/behaviour.md §6.9)", () => {
  it("says why, from the strongest part of the breakdown, on the Appendix B visitor", async () => {
    const contentStore = createBBContentStore({ sampling: "ascending" });
    const events = [
      ...viewEvents("b", "101", 120, "next_button", BB_NOW - HOUR),
      ...viewEvents("b", "102", 120, "next_button", BB_NOW - HOUR),
    ];
    const cfg = resolveConfig({});
    const updater = new UserModelUpdater({ contentStore, modelStore: new InMemoryUserModelStore(), cfg });
    const signals = await updater.build("b", events, { now: BB_NOW });
    const recommender = new Recommender({ contentStore, modelStore: new InMemoryUserModelStore(), cfg });
    const rec = await recommender.recommendForSignals(signals, { seed: 1 });
    const reasons = Object.fromEntries(rec.items.map((item) => [item.content_id, item.reason]));
    expect(reasons["103"]).toBe(
      "Because you spent long on “Forced labour in the textile workshop”, about forced labor.",
    );
    // 201: semantic 0.1 leads its breakdown (affinity 0.05, tag 0.048913, recency 0.025)
    expect(reasons["201"]).toBe(
      "Because it is close to “Forced labour in the textile workshop”, which you spent long on.",
    );
    const cold = await recommender.recommendForSignals(
      {
        ...signals,
        positives: {},
        tag_affinity: {},
        taste_vector: null,
        recency_vector: null,
        viewed: [],
        recent_views: [],
      },
      { seed: 1 },
    );
    for (const item of cold.items)
      expect(item.reason).toBe(
        item.kind === "distractor"
          ? "Something different, to widen the view."
          : "A place to start in the collection.",
      );
  });

  it("names a custom scorer that leads the breakdown; of two equal leaders, the first in the breakdown", async () => {
    const contentStore = createBBContentStore({ sampling: "ascending" });
    const events = viewEvents("c", "101", 120, "next_button", BB_NOW - HOUR);
    const cfg = resolveConfig({});
    const updater = new UserModelUpdater({ contentStore, modelStore: new InMemoryUserModelStore(), cfg });
    const signals = await updater.build("c", events, { now: BB_NOW });
    const constant = (name: string) => ({ name, weight: 5, score: () => 1 });
    const recommender = new Recommender({
      contentStore,
      modelStore: new InMemoryUserModelStore(),
      cfg,
      scorers: [constant("freshness"), constant("editorial")],
    });
    const rec = await recommender.recommendForSignals(signals, { seed: 1 });
    const targets = rec.items.filter((item) => item.kind !== "distractor");
    expect(targets.length).toBeGreaterThan(0);
    for (const item of targets) {
      expect(item.breakdown.freshness).toBe(5);
      expect(item.breakdown.editorial).toBe(5);
      expect(item.reason).toBe("Because it matches your freshness profile.");
    }
  });
});
