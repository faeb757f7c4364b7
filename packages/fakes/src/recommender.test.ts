import {
  createSeededRandom,
  Recommender,
  resolveConfig,
  toRecommendationItems,
  UserModelUpdater,
} from "@recsys/core";
import {
  type Content,
  type ContentQuery,
  emptyUserSignals,
  type RecConfigInput,
  type Recommendation,
  type UserSignals,
} from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { BB_NOW, createBBContentStore, viewEvents } from "./bb-fixtures.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

const HOUR = 3_600_000;

function setup(partial: RecConfigInput = {}, store = createBBContentStore({ sampling: "ascending" })) {
  const cfg = resolveConfig(partial);
  const modelStore = new InMemoryUserModelStore();
  const recommender = new Recommender({
    contentStore: store,
    modelStore,
    cfg,
    random: createSeededRandom(7),
  });
  const updater = new UserModelUpdater({ contentStore: store, modelStore, cfg });
  return { cfg, store, modelStore, recommender, updater };
}

async function userWho(
  updater: UserModelUpdater,
  views: [string, number, "next_button" | "abandon" | "close_button" | "link"][],
): Promise<UserSignals> {
  const events = views.flatMap(([id, dwell, reason], i) =>
    viewEvents("u1", id, dwell, reason, BB_NOW - HOUR - i * 10 * 60_000),
  );
  events.sort((a, b) => a.ts.localeCompare(b.ts));
  return updater.build("u1", events, { now: BB_NOW });
}

const likedTwo = (updater: UserModelUpdater) =>
  updater.build(
    "u1",
    [
      ...viewEvents("u1", "101", 120, "next_button", BB_NOW - HOUR),
      ...viewEvents("u1", "102", 120, "next_button", BB_NOW - HOUR),
    ],
    {
      now: BB_NOW,
    },
  );

const targets = (rec: Recommendation) => rec.items.filter((i) => i.kind === "recommendation");
const ids = (items: readonly { content_id: string }[]) => items.map((i) => i.content_id);

describe("docs/behaviour.md Appendix B: the worked example, reproduced exactly", () => {
  it("warm: scores 0.657174 / 0.223913, order 103, 201, 301, 202, 203, 302, in at most two round trips", async () => {
    const { recommender, updater, store } = setup();
    const signals = await likedTwo(updater);
    store.roundTrips = 0;
    const rec = await recommender.recommendForSignals(signals);
    expect(store.roundTrips).toBeLessThanOrEqual(2);
    expect(rec.strategy).toBe("warm");
    expect(ids(rec.items)).toEqual(["103", "201", "301", "202", "203", "302"]);
    const [first, second] = rec.items;
    expect(Math.abs(first!.final_score - 0.657174)).toBeLessThan(1e-6);
    expect(first!.breakdown.semantic).toBeCloseTo(0.2, 12);
    expect(first!.breakdown.affinity).toBeCloseTo(0.1, 12);
    expect(Math.abs(first!.breakdown.tag! - 0.307174)).toBeLessThan(1e-6);
    expect(first!.breakdown.recency).toBeCloseTo(0.05, 12);
    expect(first!.breakdown.aversion).toBe(-0);
    expect(first!.features.map((x) => Number(x.toFixed(6)))).toEqual([1, 1, 0.682609, 1, 0, 0]);
    for (const item of rec.items.slice(1)) {
      expect(Math.abs(item.final_score - 0.223913)).toBeLessThan(1e-6);
      expect(Math.abs(item.breakdown.tag! - 0.048913)).toBeLessThan(1e-6);
    }
    expect(second!.features.map((x) => Number(x.toFixed(6)))).toEqual([0.5, 0.5, 0.108696, 0.5, 0, 0]);
    expect(rec.diagnostics).toEqual({
      pool_size: 6,
      scored: 6,
      generators: ["semantic", "tag"],
      cold_start_fallback: false,
      seen_fallback: false,
      filter: null,
      geo: false,
      ranking: "static",
      distractor: { placed: false, reason: "no_candidate" },
    });
  });

  it("cold: the empty model gets 101, 201, 301, 102, 103, 202, 203, 302 in one round trip", async () => {
    const { recommender, store } = setup();
    store.roundTrips = 0;
    const rec = await recommender.recommendForSignals(emptyUserSignals("nobody"));
    expect(store.roundTrips).toBe(1);
    expect(rec.strategy).toBe("cold");
    expect(ids(rec.items)).toEqual(["101", "201", "301", "102", "103", "202", "203", "302"]);
    for (const item of rec.items) expect(item.final_score).toBe(0);
    expect(rec.diagnostics.cold_start_fallback).toBe(true);
    expect(rec.diagnostics.distractor).toEqual({ placed: false, reason: "no_candidate" });
  });

  it("wire items carry rank, role, breakdown, features and content", async () => {
    const { recommender, updater } = setup();
    const rec = await recommender.recommendForSignals(await likedTwo(updater));
    const [item] = toRecommendationItems(rec);
    expect(item).toMatchObject({
      id: "103",
      rank: 1,
      role: "target",
      content: { title: "Armament factory labour" },
    });
    expect(toRecommendationItems(rec, { includeContent: false })[0]).not.toHaveProperty("content");
  });
});

describe("Recommender (docs/behaviour.md §6)", () => {
  it("never recommends an abandoned item", async () => {
    const { recommender, updater } = setup();
    const rec = await recommender.recommendForSignals(
      await userWho(updater, [
        ["101", 120, "next_button"],
        ["301", 1, "abandon"],
      ]),
    );
    expect(ids(rec.items)).not.toContain("301");
    expect(ids(rec.items)).not.toContain("101");
  });

  it("with semantic weight 0 and tag weight 1, tag recall ranks 102 and 103 first", async () => {
    const { recommender, updater } = setup({ fusion: { semantic: 0, tag: 1 } });
    const signals = await userWho(updater, [["101", 120, "next_button"]]);
    const rec = await recommender.recommendForSignals(signals);
    expect(ids(targets(rec)).slice(0, 2).sort()).toEqual(["102", "103"]);
    for (const item of targets(rec).slice(0, 2)) expect(item.breakdown.tag).toBeGreaterThan(0);
  });

  it("excludes a neutral view, which is viewed but neither positive nor negative", async () => {
    const { recommender, updater } = setup();
    const signals = await userWho(updater, [
      ["101", 120, "next_button"],
      ["201", 8, "close_button"],
    ]);
    expect(signals.viewed).toContain("201");
    expect(signals.positives).not.toHaveProperty("201");
    expect(signals.negatives).not.toHaveProperty("201");
    expect(ids((await recommender.recommendForSignals(signals)).items)).not.toContain("201");
  });

  it("gives every target a recency breakdown", async () => {
    const { recommender, updater } = setup();
    const rec = await recommender.recommendForSignals(await userWho(updater, [["101", 120, "next_button"]]));
    for (const item of targets(rec)) expect(item.breakdown).toHaveProperty("recency");
  });

  it("serves an unknown user through recommend(): cold, non-empty, cold_start_fallback", async () => {
    const { recommender } = setup();
    const rec = await recommender.recommend("unknown");
    expect(rec.strategy).toBe("cold");
    expect(rec.items.length).toBeGreaterThan(0);
    expect(rec.diagnostics.cold_start_fallback).toBe(true);
  });

  it("falls back to a cold sample when affinity matches no content, still in one round trip", async () => {
    const { recommender, store } = setup();
    store.roundTrips = 0;
    const rec = await recommender.recommendForSignals({
      ...emptyUserSignals("u"),
      tag_affinity: { "theme_what:nonexistent": 1 },
    });
    expect(store.roundTrips).toBe(1);
    expect(rec.items.length).toBeGreaterThan(0);
    expect(rec.strategy).toBe("cold");
    expect(rec.diagnostics.cold_start_fallback).toBe(true);
  });

  it("keeps a heavy user's pool full: the store excludes seen items inside the query", async () => {
    const { recommender, updater } = setup({ distractor_enabled: false });
    const all = ["101", "102", "103", "201", "202", "203", "301"].map(
      (id) => [id, 120, "next_button"] as [string, number, "next_button"],
    );
    const rec = await recommender.recommendForSignals(await userWho(updater, all));
    expect(ids(rec.items)).toEqual(["302"]);
    expect(rec.strategy).toBe("warm");
  });

  it("a warm user whose recall is empty gets the cold fallback (strategy cold) in two round trips", async () => {
    const { store } = geoWorld();
    const bare = new InMemoryContentStore(
      [...(await store.get(["1", "5"])).values()],
      await store.getVectors(["1"]),
      { sampling: "ascending" },
    );
    const { recommender } = setup({ distractor_enabled: false }, bare);
    const signals = {
      ...emptyUserSignals("u"),
      positives: { "1": 0.8 },
      viewed: ["1"],
      taste_vector: [1, 0, 0],
    };
    bare.roundTrips = 0;
    const rec = await recommender.recommendForSignals(signals);
    expect(bare.roundTrips).toBe(2);
    expect(ids(rec.items)).toEqual(["5"]);
    expect(rec.strategy).toBe("cold");
    expect(rec.diagnostics.cold_start_fallback).toBe(true);
  });

  it("returns no_content when everything is seen", async () => {
    const { recommender, updater } = setup();
    const all = ["101", "102", "103", "201", "202", "203", "301", "302"].map(
      (id) => [id, 120, "next_button"] as [string, number, "next_button"],
    );
    const rec = await recommender.recommendForSignals(await userWho(updater, all));
    expect(rec.items).toEqual([]);
    expect(rec.diagnostics).toEqual({
      reason: "no_content",
      filter: null,
      generators: ["semantic", "tag"],
      pool_size: 0,
    });
  });

  it("refreshes from an event source, then recommends warm with 103", async () => {
    const { recommender, updater, modelStore } = setup();
    const source = new InMemoryEventBuffer();
    await source.append([
      ...viewEvents("u1", "101", 120, "next_button", BB_NOW - HOUR),
      ...viewEvents("u1", "102", 120, "next_button", BB_NOW - HOUR),
    ]);
    const saved = await updater.refresh("u1", source, { now: BB_NOW });
    expect(await modelStore.getSignals("u1")).toEqual(saved);
    const rec = await recommender.recommend("u1");
    expect(rec.strategy).toBe("warm");
    expect(ids(rec.items)).toContain("103");
  });

  it("keeps the invariants with final_limit 3: ≤ 3 items, no duplicates, no seen ids, breakdown sums to the score", async () => {
    const { recommender, updater } = setup({ final_limit: 3 });
    const signals = await userWho(updater, [
      ["101", 120, "next_button"],
      ["201", 1, "abandon"],
    ]);
    const rec = await recommender.recommendForSignals(signals);
    expect(rec.items.length).toBeLessThanOrEqual(3);
    expect(new Set(ids(rec.items)).size).toBe(rec.items.length);
    for (const item of rec.items) {
      expect(signals.viewed).not.toContain(item.content_id);
      const sum = Object.values(item.breakdown).reduce((s, x) => s + x, 0);
      expect(item.final_score).toBeCloseTo(sum, 12);
      if (item.kind === "recommendation") expect(item.features).toHaveLength(6);
    }
  });

  it("truncates to limit after distractor placement", async () => {
    const { recommender, updater } = setup({ final_limit: 6, distractor_slots: [4] });
    const signals = await userWho(updater, [["101", 120, "next_button"]]);
    const full = await recommender.recommendForSignals(signals);
    expect(full.items[3]!.kind).toBe("distractor");
    const cut = await recommender.recommendForSignals(signals, { limit: 3 });
    expect(ids(cut.items)).toEqual(ids(full.items).slice(0, 3));
    expect(cut.items.every((i) => i.kind === "recommendation")).toBe(true);
  });

  it("rejects bad options with the field named", async () => {
    const { recommender } = setup();
    await expect(recommender.recommend("u", { limit: 0 })).rejects.toMatchObject({ field: "limit" });
    await expect(recommender.recommend("u", { near_lat: 91, near_lon: 0 })).rejects.toMatchObject({
      field: "near_lat",
    });
    await expect(
      recommender.recommend("u", { near_lat: 1, near_lon: 0, geo_radius_m: -1 }),
    ).rejects.toMatchObject({ field: "geo_radius_m" });
  });
});

describe("distractor (docs/behaviour.md §6.8)", () => {
  const liked101 = (updater: UserModelUpdater) => userWho(updater, [["101", 120, "next_button"]]);

  it("final_limit 6: exactly one unseen distractor at its diagnosed slot in {3, 4}", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { updater, store, modelStore, cfg } = setup({ final_limit: 6 });
      const recommender = new Recommender({
        contentStore: store,
        modelStore,
        cfg,
        random: createSeededRandom(seed),
      });
      const signals = await liked101(updater);
      const rec = await recommender.recommendForSignals(signals);
      const distractors = rec.items.filter((i) => i.kind === "distractor");
      expect(distractors).toHaveLength(1);
      const d = rec.diagnostics.distractor as { content_id: string; slot: number; strategy: string };
      expect(d.content_id).toBe(distractors[0]!.content_id);
      expect([3, 4]).toContain(d.slot);
      expect(rec.items[d.slot - 1]!.kind).toBe("distractor");
      expect(signals.viewed).not.toContain(d.content_id);
      expect(d.strategy).toBe("max_dissimilar");
      expect(distractors[0]!.features).toEqual([]);
      expect(Object.keys(distractors[0]!.breakdown).sort()).toEqual(["semantic", "tag"]);
    }
  });

  it("slots [2] puts it at index 1", async () => {
    const { recommender, updater } = setup({ final_limit: 6, distractor_slots: [2] });
    const rec = await recommender.recommendForSignals(await liked101(updater));
    expect(rec.items[1]!.kind).toBe("distractor");
    expect(rec.diagnostics.distractor).toMatchObject({ slot: 2 });
  });

  it.each(["max_dissimilar", "unexplored_theme", "random"] as const)(
    "strategy %s yields exactly one distractor within two round trips",
    async (strategy) => {
      const { recommender, updater, store } = setup({ final_limit: 6, distractor_strategy: strategy });
      const signals = await liked101(updater);
      store.roundTrips = 0;
      const rec = await recommender.recommendForSignals(signals);
      expect(store.roundTrips).toBeLessThanOrEqual(2);
      expect(rec.items.filter((i) => i.kind === "distractor")).toHaveLength(1);
      expect(rec.diagnostics.distractor).toMatchObject({ strategy });
    },
  );

  it("max_dissimilar picks the unranked item least like the taste; unexplored_theme the one sharing fewest affinity keys", async () => {
    const { recommender, updater } = setup({ final_limit: 3, distractor_slots: [3] });
    const rec = await recommender.recommendForSignals(await liked101(updater));
    // Ranked: 102/103 (forced labor) then MMR; the −taste search ranks 102/103 last, the rest tie at 0.
    expect(rec.items[2]!.kind).toBe("distractor");
    expect(["201", "202", "203", "301", "302"]).toContain(rec.items[2]!.content_id);
  });

  it("asks for the negated taste at low precision (an approximate index may search less), the taste at the default", async () => {
    const { recommender, updater, store } = setup({
      final_limit: 6,
      distractor_strategy: "max_dissimilar",
      distractor_probability: 1,
    });
    const signals = await liked101(updater);
    const asked: ContentQuery[] = [];
    const query = store.query.bind(store);
    store.query = async (queries) => {
      asked.push(...queries);
      return query(queries);
    };
    await recommender.recommendForSignals(signals);
    const vectors = asked.flatMap((q) => (q.kind === "vector" ? [q] : []));
    expect(vectors.map((q) => q.precision)).toEqual([undefined, "low"]);
    expect(Array.from(vectors[1]!.vector)).toEqual(Array.from(vectors[0]!.vector, (x) => -x));
  });

  it("is absent when disabled or at probability 0", async () => {
    for (const partial of [{ distractor_enabled: false }, { distractor_probability: 0 }]) {
      const { recommender, updater } = setup({ final_limit: 6, ...partial });
      const rec = await recommender.recommendForSignals(await liked101(updater));
      expect(rec.items.every((i) => i.kind === "recommendation")).toBe(true);
      expect(rec.items).toHaveLength(6);
      expect(rec.diagnostics).not.toHaveProperty("distractor");
    }
  });
});

function geoWorld() {
  const anchor = { lat: 52.7581, lon: 9.9062 };
  const item = (
    id: string,
    lat: number | null,
    lon: number | null,
    labels: string[],
    axis: number,
  ): [Content, number[]] => {
    const vector = [0, 0, 0];
    vector[axis] = 1;
    return [
      {
        id,
        content_type: "text_item",
        title: id,
        text: id,
        tags: labels.map((label) => ({ facet: "place_where.camp_areas", label, weight: 1 })),
        word_count: 120,
        has_image: false,
        lat,
        lon,
        image_url: null,
        public_url: null,
        years: [],
      },
      vector,
    ];
  };
  const rows = [
    item("1", anchor.lat, anchor.lon, ["AiARLocationBarrack3"], 0), // G1
    item("2", 52.7603, 9.9062, ["Barrack 3"], 1), // G2 ~245 m north
    item("3", 52.7761, 9.9062, ["barrack_3"], 2), // G3 ~2 km north
    item("4", 52.7582, 9.9063, ["Barrack 4"], 0), // X1 near but another barrack
    item("5", null, null, [], 1),
  ];
  const store = new InMemoryContentStore(
    rows.map(([c]) => c),
    new Map(rows.map(([c, v]) => [c.id, v])),
    { sampling: "ascending" },
  );
  return { anchor, store };
}

describe("filter and geo (docs/behaviour.md §6.3, §6.8)", () => {
  it("a filter returns only items of that area and echoes the filter", async () => {
    const { store } = geoWorld();
    const { recommender } = setup({}, store);
    const rec = await recommender.recommendForSignals(emptyUserSignals("u"), {
      filter: "AiARLocationBarrack3",
    });
    expect(ids(rec.items).sort()).toEqual(["1", "2", "3"]);
    expect(rec.diagnostics.filter).toBe("AiARLocationBarrack3");
    expect(rec.diagnostics.generators).toEqual(["filter"]);
  });

  it("re-shows seen items of an exhausted filter, flagged seen_fallback, never leaking outside it", async () => {
    const { store } = geoWorld();
    const { recommender } = setup({}, store);
    const signals = { ...emptyUserSignals("u"), viewed: ["1", "2", "3"] };
    store.roundTrips = 0;
    const rec = await recommender.recommendForSignals(signals, { filter: "Barrack 3" });
    expect(store.roundTrips).toBe(2);
    expect(ids(rec.items).sort()).toEqual(["1", "2", "3"]);
    expect(rec.diagnostics.seen_fallback).toBe(true);
  });

  it("with re-show disabled an exhausted filter is empty with reason empty_filter", async () => {
    const { store } = geoWorld();
    const { recommender } = setup({ filter_reshow_when_exhausted: false }, store);
    const rec = await recommender.recommendForSignals(
      { ...emptyUserSignals("u"), viewed: ["1", "2", "3"] },
      { filter: "Barrack 3" },
    );
    expect(rec.items).toEqual([]);
    expect(rec.diagnostics).toEqual({
      reason: "empty_filter",
      filter: "Barrack 3",
      generators: ["filter"],
      pool_size: 0,
    });
  });

  it("near alone adds a geo breakdown to every item, G1 > G2 > G3, without restricting", async () => {
    const { store, anchor } = geoWorld();
    const { recommender } = setup({ distractor_enabled: false }, store);
    const rec = await recommender.recommendForSignals(emptyUserSignals("u"), {
      near_lat: anchor.lat,
      near_lon: anchor.lon,
    });
    expect(rec.items).toHaveLength(5);
    for (const item of rec.items) expect(item.breakdown).toHaveProperty("geo");
    const geo = (id: string) => rec.items.find((i) => i.content_id === id)!.breakdown.geo!;
    expect(geo("1")).toBeGreaterThan(geo("2"));
    expect(geo("2")).toBeGreaterThan(geo("3"));
    expect(geo("5")).toBe(0);
    expect(rec.diagnostics.geo).toBe(true);
  });

  it("near + radius restricts: 500 m gives exactly G1, G2 and X1; with the filter, G1 and G2", async () => {
    const { store, anchor } = geoWorld();
    const { recommender } = setup({ distractor_enabled: false }, store);
    const geoOnly = await recommender.recommendForSignals(emptyUserSignals("u"), {
      near_lat: anchor.lat,
      near_lon: anchor.lon,
      geo_radius_m: 500,
    });
    expect(ids(geoOnly.items).sort()).toEqual(["1", "2", "4"]);
    expect(geoOnly.diagnostics.generators).toEqual(["geo"]);
    const both = await recommender.recommendForSignals(emptyUserSignals("u"), {
      filter: "Barrack 3",
      near_lat: anchor.lat,
      near_lon: anchor.lon,
      geo_radius_m: 500,
    });
    expect(ids(both.items).sort()).toEqual(["1", "2"]);
    expect(both.diagnostics.generators).toEqual(["filter", "geo"]);
    const filterOnly = await recommender.recommendForSignals(emptyUserSignals("u"), { filter: "Barrack 3" });
    expect(ids(filterOnly.items).sort()).toEqual(["1", "2", "3"]);
  });

  it("a filtered set too small for a distractor reports filtered_set_exhausted", async () => {
    const { store, anchor } = geoWorld();
    const { recommender } = setup({ final_limit: 6 }, store);
    const rec = await recommender.recommendForSignals(emptyUserSignals("u"), {
      filter: "Barrack 3",
      near_lat: anchor.lat,
      near_lon: anchor.lon,
      geo_radius_m: 500,
    });
    expect(rec.items).toHaveLength(2);
    expect(rec.items.every((i) => i.kind === "recommendation")).toBe(true);
    expect(rec.diagnostics.distractor).toEqual({ placed: false, reason: "filtered_set_exhausted" });
  });

  it("a constrained distractor is the lowest-scored unranked candidate, strategy within_constraint", async () => {
    const { store } = geoWorld();
    const { recommender } = setup({ final_limit: 3, distractor_slots: [3] }, store);
    const rec = await recommender.recommendForSignals(
      { ...emptyUserSignals("u"), tag_affinity: { "place_where.camp_areas:barrack 3": 1 } },
      { filter: "Barrack 3" },
    );
    expect(rec.items).toHaveLength(3);
    expect(rec.items[2]!.kind).toBe("distractor");
    expect(rec.diagnostics.distractor).toMatchObject({ strategy: "within_constraint", slot: 3 });
    expect(rec.items[2]!.features).toHaveLength(6);
  });
});
