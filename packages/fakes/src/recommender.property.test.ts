import {
  BUILT_IN_SCORERS,
  createSeededRandom,
  emptyPolicySums,
  linUcbPolicy,
  Recommender,
  resolveConfig,
} from "@recsys/core";
import { collectCandidates, planQueries, scoreCandidates, startRequest } from "@recsys/core/serve";
import { normalizeFilterValue } from "@recsys/core/taxonomy";
import { type Content, emptyUserSignals, freezeSignals, type UserSignals } from "@recsys/ports";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

const LABELS = ["Barrack 3", "AiARLocationBarrack3", "Barrack 4", "Family", "Forced Labour", "Liberation"];

interface World {
  contents: Content[];
  vectors: Map<string, number[]>;
}

const world: fc.Arbitrary<World> = fc
  .array(
    fc.record({
      labels: fc.subarray(LABELS, { maxLength: 3 }),
      vector: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 4, maxLength: 4 }),
      lat: fc.option(fc.double({ min: 52.75, max: 52.77, noNaN: true }), { nil: null }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((rows) => {
    const contents = rows.map(
      (row, i): Content => ({
        id: String(i + 1),
        content_type: "text_item",
        title: "",
        text: "",
        tags: row.labels.map((label) => ({ facet: "theme_what", label, weight: 1 })),
        word_count: 100,
        has_image: false,
        lat: row.lat,
        lon: row.lat === null ? null : 9.9,
        image_url: null,
        public_url: null,
        years: [],
      }),
    );
    return { contents, vectors: new Map(rows.map((row, i) => [String(i + 1), row.vector])) };
  });

function signalsFor(
  contents: readonly Content[],
  picks: readonly number[],
  negatives: readonly number[],
): UserSignals {
  const id = (i: number) => contents[i % contents.length]!.id;
  const positives = Object.fromEntries(picks.map((i) => [id(i), 0.5]));
  const negs = Object.fromEntries(negatives.map((i) => [id(i), 0.2]));
  const viewed = [...new Set([...Object.keys(positives), ...Object.keys(negs)])].sort();
  return {
    ...emptyUserSignals("u"),
    positives,
    negatives: negs,
    viewed,
    recent_views: viewed,
    tag_affinity: picks.length > 0 ? { "theme_what:family": 1, "theme_what:forced labor": 0.5 } : {},
    taste_vector: picks.length > 0 ? [1, 0, 0, 0] : null,
  };
}

function recommenderFor(w: World, seed: number, partial = {}) {
  const store = new InMemoryContentStore(w.contents, w.vectors, { random: createSeededRandom(seed) });
  const cfg = resolveConfig({ final_limit: 5, pool_per_generator: 8, ...partial });
  return new Recommender({
    contentStore: store,
    modelStore: new InMemoryUserModelStore(),
    cfg,
    random: createSeededRandom(seed),
  });
}

const strategies = fc.constantFrom("max_dissimilar", "unexplored_theme", "random") as fc.Arbitrary<
  "max_dissimilar" | "unexplored_theme" | "random"
>;

/** A world, a user's liked and disliked picks in it, a seed and a distractor strategy. */
const userInWorld = [
  world,
  fc.array(fc.nat(), { maxLength: 8 }),
  fc.array(fc.nat(), { maxLength: 4 }),
  fc.integer(),
  strategies,
] as const;

describe("Recommender properties over random worlds", () => {
  it("a filter never leaks an item outside it (targets and distractor), re-show included", async () => {
    await fc.assert(
      fc.asyncProperty(
        world,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.constantFrom(...LABELS, "Nowhere"),
        fc.integer(),
        fc.boolean(),
        async (w, picks, filter, seed, near) => {
          const recommender = recommenderFor(w, seed);
          const rec = await recommender.recommendForSignals(signalsFor(w.contents, picks, []), {
            filter,
            ...(near ? { near_lat: 52.76, near_lon: 9.9, geo_radius_m: 800 } : {}),
          });
          const wanted = normalizeFilterValue(filter);
          for (const item of rec.items) {
            const content = w.contents.find((c) => c.id === item.content_id)!;
            expect(content.tags.some((t) => normalizeFilterValue(t.label) === wanted)).toBe(true);
          }
          expect(new Set(rec.items.map((i) => i.content_id)).size).toBe(rec.items.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a frozen model (as stores hand out) is served exactly as its unfrozen copy, on every request", async () => {
    await fc.assert(
      fc.asyncProperty(...userInWorld, async (w, picks, negatives, seed, strategy) => {
        const signals = signalsFor(w.contents, picks, negatives);
        const frozen = freezeSignals(structuredClone(signals));
        const partial = { distractor_strategy: strategy, affinity_top_k: 1 };
        const open = recommenderFor(w, seed, partial);
        const shared = recommenderFor(w, seed, partial);
        for (let round = 0; round < 2; round++) {
          const expected = await open.recommendForSignals(structuredClone(signals), { seed: round });
          expect(await shared.recommendForSignals(frozen, { seed: round })).toEqual(expected);
        }
        // Another setting over the same frozen model: nothing kept for the first applies.
        const wider = recommenderFor(w, seed, { ...partial, affinity_top_k: 2 });
        const widerOpen = recommenderFor(w, seed, { ...partial, affinity_top_k: 2 });
        expect(await wider.recommendForSignals(frozen, { seed: 1 })).toEqual(
          await widerOpen.recommendForSignals(structuredClone(signals), { seed: 1 }),
        );
      }),
      { numRuns: 100 },
    );
  });

  it("never recommends a seen item on the unconstrained path", async () => {
    await fc.assert(
      fc.asyncProperty(...userInWorld, async (w, picks, negatives, seed, strategy) => {
        const signals = signalsFor(w.contents, picks, negatives);
        const rec = await recommenderFor(w, seed, { distractor_strategy: strategy }).recommendForSignals(
          signals,
        );
        for (const item of rec.items) expect(signals.viewed).not.toContain(item.content_id);
        expect(rec.items.length).toBeLessThanOrEqual(5);
        expect(new Set(rec.items.map((i) => i.content_id)).size).toBe(rec.items.length);
      }),
      { numRuns: 150 },
    );
  });

  it("same input and seed, same list (random sampling included)", async () => {
    await fc.assert(
      fc.asyncProperty(
        world,
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.integer(),
        strategies,
        async (w, picks, seed, strategy) => {
          const signals = signalsFor(w.contents, picks, []);
          const a = await recommenderFor(w, seed, { distractor_strategy: strategy }).recommendForSignals(
            signals,
          );
          const b = await recommenderFor(w, seed, { distractor_strategy: strategy }).recommendForSignals(
            signals,
          );
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("the bandit ranking policy at its prior (docs/behaviour.md §6.12)", () => {
  it("with exploration off, every candidate's score equals its static fusion to 1e-9", async () => {
    const weight = fc.double({ min: -1, max: 1, noNaN: true });
    await fc.assert(
      fc.asyncProperty(
        world,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.integer(),
        fc.record({
          tag: weight,
          semantic: weight,
          affinity: weight,
          recency: weight,
          aversion: weight,
          geo: weight,
        }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.boolean(),
        async (w, picks, negatives, seed, fusion, ridge, near) => {
          const cfg = resolveConfig({
            pool_per_generator: 8,
            fusion,
            ranking_mode: "bandit",
            bandit_explore: false,
            bandit_ridge: ridge,
          });
          // the scored pool of a real request, through the stages of the serve path
          const state = startRequest({
            signals: signalsFor(w.contents, picks, negatives),
            cfg,
            random: createSeededRandom(seed),
            filter: null,
            near: near ? { lat: 52.76, lon: 9.9 } : null,
            radius: null,
          });
          planQueries(state);
          await collectCandidates(state, new InMemoryContentStore(w.contents, w.vectors));
          scoreCandidates(state, BUILT_IN_SCORERS);
          const relevance = linUcbPolicy(() => emptyPolicySums()).rank(state.scored, state.scoreContext!);
          state.scored.forEach((item, i) => {
            expect(Math.abs(relevance[i]! - item.final_score)).toBeLessThanOrEqual(1e-9);
          });
          // and the Recommender ranks with it, at version 0
          const rec = await recommenderFor(w, seed, {
            fusion,
            ranking_mode: "bandit",
            bandit_explore: false,
          }).recommendForSignals(state.signals);
          if (rec.items.length > 0) {
            expect(rec.diagnostics.ranking).toBe("bandit");
            expect(rec.diagnostics.ranking_version).toBe(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
