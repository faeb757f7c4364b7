// The serve path stage by stage, its extension points and its settings, on small purpose-built worlds
// whose every number is worked out in the comments (docs/behaviour.md §6).
import {
  type CandidateSource,
  createSeededRandom,
  Recommender,
  resolveConfig,
  type Scorer,
} from "@recsys/core";
import { BUILT_IN_SCORERS } from "@recsys/core/scoring";
import {
  collectCandidates,
  DISTRACTOR_STRATEGIES_TABLE,
  diagnose,
  placeDistractor,
  planQueries,
  rankCandidates,
  rerank,
  STATIC_POLICY,
  scoreCandidates,
  startRequest,
} from "@recsys/core/serve";
import { emptyUserSignals, type RecConfigInput, type UserSignals } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import type { CatalogPoint } from "./catalog.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

function point(id: string, vector: number[], labels: string[]): CatalogPoint {
  return {
    id,
    vector: Float32Array.from(vector),
    payload: {
      title: `Item ${id}`,
      tags: labels.map((label) => ({ facet: "theme_what", label, weight: 1 })),
    },
  };
}

// A user who liked 10 (taste = axis 0, affinity theme_what:a = 1). Unseen items:
//   11 [0.9, 0.1, 0] A   fused ≈ 0.799      12 [0.8, 0.2, 0] A  ≈ 0.795
//   20 [0, 1, 0]     A   ≈ 0.625            30 [-1, 0, 0]    A  = 0.45 (most dissimilar)
//   40 [0, 0, 1]     D   = 0.175
// With mmr_lambda 1 (relevance order) and 2 picks (a distractor takes the third slot): 11, 12.
const WORLD = [
  point("10", [1, 0, 0], ["A"]),
  point("11", [0.9, 0.1, 0], ["A"]),
  point("12", [0.8, 0.2, 0], ["A"]),
  point("20", [0, 1, 0], ["A"]),
  point("30", [-1, 0, 0], ["A"]),
  point("40", [0, 0, 1], ["D"]),
];

const LIKED_10: UserSignals = {
  ...emptyUserSignals("u"),
  positives: { "10": 0.8 },
  viewed: ["10"],
  recent_views: ["10"],
  tag_affinity: { "theme_what:a": 1 },
  taste_vector: [1, 0, 0],
  recency_vector: [1, 0, 0],
};

function recommenderFor(
  partial: RecConfigInput,
  extra: { scorers?: Scorer[]; candidateSources?: CandidateSource[] } = {},
) {
  const contentStore = InMemoryContentStore.fromPoints(WORLD, { sampling: "ascending" });
  const recommender = new Recommender({
    contentStore,
    modelStore: new InMemoryUserModelStore(),
    cfg: resolveConfig(partial),
    random: createSeededRandom(1),
    ...extra,
  });
  return { recommender, contentStore };
}

const ids = (items: readonly { content_id: string }[]) => items.map((i) => i.content_id);

describe("distractor strategies: each table entry chooses exactly the item it promises", () => {
  it.each([
    // −taste nearest: 30 (cos 1 with [-1, 0, 0]).
    ["max_dissimilar", "30"],
    // Ascending sample of unseen items 11, 12, 20, 30, 40; usable (not picked) 20, 30, 40; 20 and 30 share
    // the affinity key a, 40 shares none.
    ["unexplored_theme", "40"],
    // The first unseen, unpicked item of the (ascending) sample 11, 12, 20, 30: 20.
    ["random", "20"],
  ] as const)("%s → %s", async (strategy, expected) => {
    const { recommender, contentStore } = recommenderFor({
      final_limit: 3,
      distractor_slots: [3],
      distractor_strategy: strategy,
      mmr_lambda: 1,
    });
    contentStore.roundTrips = 0;
    const rec = await recommender.recommendForSignals(LIKED_10);
    expect(ids(rec.items)).toEqual(["11", "12", expected]);
    expect(rec.items[2]!.kind).toBe("distractor");
    expect(rec.diagnostics.distractor).toEqual({ content_id: expected, strategy, slot: 3 });
    expect(contentStore.roundTrips).toBe(1);
  });

  it("within_constraint → the lowest-scored unpicked item of the filter set (30, fused 0.45), features kept", async () => {
    const { recommender } = recommenderFor({ final_limit: 3, distractor_slots: [3], mmr_lambda: 1 });
    const rec = await recommender.recommendForSignals(LIKED_10, { filter: "A" });
    expect(ids(rec.items)).toEqual(["11", "12", "30"]);
    expect(rec.diagnostics.distractor).toEqual({ content_id: "30", strategy: "within_constraint", slot: 3 });
    expect(rec.items[2]!.features).toHaveLength(6);
    expect(rec.items[2]!.final_score).toBeCloseTo(0.45, 9);
  });

  it("max_dissimilar tries the sample, in one more round trip, when the −taste search finds nothing usable; none left: not placed", async () => {
    // Everything but 11 and 12 is seen: MMR picks both, the −taste search has nothing left.
    const { recommender, contentStore } = recommenderFor({ final_limit: 3, distractor_slots: [3] });
    const signals = { ...LIKED_10, viewed: ["10", "20", "30", "40"] };
    contentStore.roundTrips = 0;
    const rec = await recommender.recommendForSignals(signals);
    expect(ids(rec.items)).toEqual(["11", "12"]);
    expect(rec.diagnostics.distractor).toEqual({ placed: false, reason: "no_candidate" });
    expect(contentStore.roundTrips).toBe(2);
  });

  it("the table has one entry per configured strategy, plus within_constraint", () => {
    expect(Object.keys(DISTRACTOR_STRATEGIES_TABLE).sort()).toEqual(
      ["max_dissimilar", "random", "unexplored_theme", "within_constraint"].sort(),
    );
  });
});

describe("mmr_lambda is honoured", () => {
  // Custom scores only (every fusion weight 0): A 1.0, B 0.9, C 0.5; B nearly duplicates A
  // (cos 0.95), C is orthogonal. After A: B's value is λ·0.9 − (1 − λ)·0.95, C's λ·0.5.
  //   λ = 0.70: B 0.345 < C 0.350 → A, C, B.     λ = 0.75: B 0.4375 > C 0.375 → A, B, C.
  //   λ = 0: C (0) beats B (−0.95) → A, C, B.    λ = 1: relevance order → A, B, C.
  const world = [
    point("1", [1, 0], []),
    point("2", [0.95, Math.sqrt(1 - 0.95 ** 2)], []),
    point("3", [0, 1], []),
  ];
  const fixed: Scorer = {
    name: "fixed",
    weight: 1,
    score: (c) => ({ "1": 1, "2": 0.9, "3": 0.5 })[c.id] ?? 0,
  };
  const everything: CandidateSource = {
    name: "everything",
    query: () => ({ kind: "ids", ids: ["1", "2", "3"] }),
  };
  const zero = { tag: 0, semantic: 0, affinity: 0, recency: 0, aversion: 0, geo: 0 };

  it.each([
    [0.7, ["1", "3", "2"]],
    [0.75, ["1", "2", "3"]],
    [0, ["1", "3", "2"]],
    [1, ["1", "2", "3"]],
  ] as const)("λ = %s → %j", async (lambda, expected) => {
    const recommender = new Recommender({
      contentStore: InMemoryContentStore.fromPoints(world, { sampling: "ascending" }),
      modelStore: new InMemoryUserModelStore(),
      cfg: resolveConfig({ mmr_lambda: lambda, distractor_enabled: false, final_limit: 3, fusion: zero }),
      scorers: [fixed],
      candidateSources: [everything],
    });
    const rec = await recommender.recommendForSignals({ ...emptyUserSignals("u"), taste_vector: [1, 0] });
    expect(ids(rec.items)).toEqual(expected);
  });
});

describe("extension points: a team's own scorer and candidate source, without editing core", () => {
  it("a custom scorer's weighted value shows in every breakdown and adds to the score", async () => {
    const boost: Scorer = { name: "business_boost", weight: 0.5, score: (c) => (c.id === "40" ? 1 : 0) };
    const { recommender } = recommenderFor(
      { distractor_enabled: false, final_limit: 5 },
      { scorers: [boost] },
    );
    const plain = await recommenderFor({
      distractor_enabled: false,
      final_limit: 5,
    }).recommender.recommendForSignals(LIKED_10);
    const rec = await recommender.recommendForSignals(LIKED_10);
    for (const item of rec.items) {
      expect(item.breakdown.business_boost).toBe(item.content_id === "40" ? 0.5 : 0);
      const sum = Object.values(item.breakdown).reduce((a, b) => a + b, 0);
      expect(item.final_score).toBeCloseTo(sum, 12);
      expect(item.features).toHaveLength(6);
    }
    const before = plain.items.find((i) => i.content_id === "40")!.final_score;
    expect(rec.items.find((i) => i.content_id === "40")!.final_score).toBeCloseTo(before + 0.5, 12);
  });

  it("refuses a scorer that reuses a built-in name", () => {
    expect(() => recommenderFor({}, { scorers: [{ name: "tag", weight: 1, score: () => 1 }] })).toThrow(
      /scorer name "tag" is taken/,
    );
  });

  it("a candidate source's query joins the one batch, its hits the pool, its name the generators", async () => {
    // A cold user with affinity only to D: tag recall finds 40; the source adds 12; the sample is not needed.
    const featured: CandidateSource = { name: "featured", query: () => ({ kind: "ids", ids: ["12", "10"] }) };
    const { recommender, contentStore } = recommenderFor(
      { distractor_enabled: false },
      { candidateSources: [featured] },
    );
    contentStore.roundTrips = 0;
    const signals = { ...emptyUserSignals("u"), viewed: ["10"], tag_affinity: { "theme_what:d": 1 } };
    const rec = await recommender.recommendForSignals(signals);
    expect(contentStore.roundTrips).toBe(1);
    expect(rec.diagnostics.generators).toEqual(["semantic", "tag", "featured"]);
    expect(ids(rec.items).sort()).toEqual(["12", "40"]);
    expect(rec.diagnostics.pool_size).toBe(2);
  });
});

describe("the stages, one by one", () => {
  it("plan → collect → score → rank → rerank → distractor → diagnose, as Recommender runs them", async () => {
    const store = InMemoryContentStore.fromPoints(WORLD, { sampling: "ascending" });
    const cfg = resolveConfig({ final_limit: 3, distractor_slots: [3], mmr_lambda: 1 });
    const state = startRequest({
      signals: LIKED_10,
      cfg,
      random: createSeededRandom(1),
      filter: null,
      near: null,
      radius: null,
    });
    expect(state.strategy).toBe("warm");
    expect(state.inject).toBe(true);
    expect([...state.seen]).toEqual(["10"]);

    planQueries(state);
    // semantic, tags, the −taste query of max_dissimilar, the liked item's vector: no sample (taste present).
    expect(state.queries.map((q) => q.kind)).toEqual(["vector", "tags", "vector", "ids"]);
    expect([...state.slots.keys()]).toEqual(["semantic", "tags", "distractor:0", "liked"]);

    await collectCandidates(state, store);
    expect([...state.candidates.keys()]).toEqual(["11", "12", "20", "40", "30"]);
    expect(store.roundTrips).toBe(1);

    scoreCandidates(state, BUILT_IN_SCORERS);
    const byId = Object.fromEntries(state.scored.map((s) => [s.content_id, s]));
    expect(byId["30"]!.final_score).toBeCloseTo(0.45, 12);
    expect(byId["30"]!.breakdown).toEqual({
      semantic: 0,
      affinity: 0,
      tag: 0.45,
      recency: 0,
      aversion: -0,
    });
    expect(byId["40"]!.final_score).toBeCloseTo(0.1 + 0.05 + 0.025, 6);

    rankCandidates(state, STATIC_POLICY);
    expect(state.ranking).toBe("static");

    rerank(state);
    expect(ids(state.ranked)).toEqual(["11", "12"]);

    await placeDistractor(state, store);
    expect(state.distractor).toEqual({ content_id: "30", strategy: "max_dissimilar", slot: 3 });

    const rec = diagnose(state, 2);
    expect(ids(rec.items)).toEqual(["11", "12"]);
    expect(rec.diagnostics).toEqual({
      pool_size: 5,
      scored: 5,
      generators: ["semantic", "tag"],
      cold_start_fallback: false,
      seen_fallback: false,
      filter: null,
      geo: false,
      ranking: "static",
      distractor: { content_id: "30", strategy: "max_dissimilar", slot: 3 },
    });
  });

  it("a ranking policy sets the relevance MMR sees, and leaves the breakdown alone", async () => {
    const reversed = {
      name: "reversed",
      rank: (items: readonly { final_score: number }[]) => items.map((i) => -i.final_score),
    };
    const recommender = new Recommender({
      contentStore: InMemoryContentStore.fromPoints(WORLD, { sampling: "ascending" }),
      modelStore: new InMemoryUserModelStore(),
      cfg: {
        ...resolveConfig({ distractor_enabled: false, final_limit: 1 }),
        ranking_mode: "reversed" as "static",
      },
      rankingPolicies: { reversed },
    });
    const rec = await recommender.recommendForSignals(LIKED_10);
    // The lowest fused score (40, 0.175) becomes the most relevant.
    expect(ids(rec.items)).toEqual(["40"]);
    expect(rec.items[0]!.final_score).toBeCloseTo(-0.175, 6);
    expect(rec.diagnostics.ranking).toBe("reversed");
  });

  it("cold_start_min_positives decides the strategy", async () => {
    const twoNeeded = recommenderFor({ cold_start_min_positives: 2, distractor_enabled: false }).recommender;
    expect((await twoNeeded.recommendForSignals(LIKED_10)).strategy).toBe("cold");
    const noneNeeded = recommenderFor({ cold_start_min_positives: 0, distractor_enabled: false }).recommender;
    const rec = await noneNeeded.recommendForSignals({
      ...emptyUserSignals("u"),
      tag_affinity: { "theme_what:d": 1 },
    });
    expect(rec.strategy).toBe("warm");
    expect(rec.diagnostics.cold_start_fallback).toBe(false);
  });

  it("seed makes the distractor slot reproducible per request", async () => {
    const { recommender } = recommenderFor({ final_limit: 4, distractor_slots: [1, 2, 3, 4] });
    const slots = new Set<number>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const a = await recommender.recommendForSignals(LIKED_10, { seed });
      const b = await recommender.recommendForSignals(LIKED_10, { seed });
      expect(a).toEqual(b);
      slots.add((a.diagnostics.distractor as { slot: number }).slot);
    }
    expect(slots.size).toBeGreaterThan(1);
  });
});
