import { describe, expect, it } from "vitest";
import { weightedFuse } from "./fusion.js";
import { haversineM } from "./geo.js";
import {
  affinityScore,
  contentTagWeights,
  geoScore,
  prepareWeights,
  semanticScore,
  tagScore,
} from "./scorers.js";
import { cosine } from "./vectors.js";

const tags = (...pairs: [string, string, number][]) =>
  contentTagWeights({ tags: pairs.map(([facet, label, weight]) => ({ facet, label, weight })) });

describe("scorers (docs/behaviour.md §6.4)", () => {
  it("cosine: identical 1, orthogonal 0, opposite -1, missing or mismatched 0", () => {
    expect(cosine([1, 2], [1, 2])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 0], [-1, 0])).toBe(-1);
    expect(cosine(null, [1])).toBe(0);
    expect(cosine([1, 0], [1, 0, 0])).toBe(0);
    expect(cosine([0, 0], [1, 0])).toBe(0);
  });

  it("semantic: aligned 1, orthogonal 0.5, opposite 0, missing 0", () => {
    expect(semanticScore([1, 0], [2, 0])).toBe(1);
    expect(semanticScore([1, 0], [0, 1])).toBe(0.5);
    expect(semanticScore([1, 0], [-1, 0])).toBe(0);
    expect(semanticScore(null, [1, 0])).toBe(0);
  });

  it("affinity: best weighted similarity to a liked item", () => {
    const liked = [
      { vector: [1, 0], weight: 1 },
      { vector: [0, 1], weight: 0.5 },
    ];
    expect(affinityScore([1, 0], liked)).toBe(1);
    expect(affinityScore([0, 1], liked)).toBe(0.5);
    expect(affinityScore([0, 1], [])).toBe(0);
  });

  it("tag: Σ affinity·weight / Σ affinity on normalised keys, case-insensitive, in [0, 1]", () => {
    const affinity = prepareWeights({
      "theme_what:forced labor": 1,
      "theme_what:workshops": 0.4,
      "theme_what:work detail": 0.4,
      "theme_how.type_of_stores:personal stories": 0.5,
    });
    const item103 = tags(
      ["theme_what", "Forced Labor", 1],
      ["theme_what", "work detail", 0.8],
      ["theme_how.type_of_stores", "Personal stories", 0.5],
    );
    expect(Math.abs(tagScore(item103, affinity) - 0.682609)).toBeLessThan(1e-6);
    const female = tags(["person_who.gender_and_age", "female", 1]);
    expect(tagScore(female, prepareWeights({ "person_who.gender_and_age:Female": 1 }))).toBe(1);
    expect(tagScore(tags(["theme_what", "Family", 1]), affinity)).toBe(0);
    expect(tagScore(item103, prepareWeights({}))).toBe(0);
    expect(tagScore(null, affinity)).toBe(0);
  });

  it("aversion: positive on a disliked theme, 0 on others", () => {
    const aversion = prepareWeights({ "theme_what:family": 1 });
    expect(tagScore(tags(["theme_what", "Family", 1]), aversion)).toBe(1);
    expect(tagScore(tags(["theme_what", "Liberation", 1]), aversion)).toBe(0);
  });

  it("geo: exp(-d/scale); 144.55 m → 0.617643; 1 at the anchor; ~0 far away; 0 without coordinates", () => {
    // The reference's "144.55 m" is rounded: 0.617643 is exp(-144.5535 / 300).
    const deg = (144.5535 / 6_371_000) * (180 / Math.PI);
    expect(haversineM(0, 0, deg, 0)).toBeCloseTo(144.5535, 6);
    expect(Math.abs(geoScore({ lat: 0, lon: 0 }, { lat: deg, lon: 0 }, 300) - 0.617643)).toBeLessThan(1e-6);
    const anchor = { lat: 52.7581, lon: 9.9062 };
    expect(haversineM(anchor.lat, anchor.lon, anchor.lat, anchor.lon)).toBe(0);
    expect(geoScore(anchor, anchor, 300)).toBe(1);
    expect(geoScore(anchor, { lat: 53.33, lon: 9.9062 }, 300)).toBeLessThan(0.01);
    expect(geoScore(anchor, { lat: null, lon: null }, 300)).toBe(0);
    expect(geoScore(anchor, anchor, 0)).toBe(0);
  });
});

describe("weightedFuse (docs/behaviour.md §6.5)", () => {
  it("semantic 0.8×0.5 + tag 0.4×0.3 → breakdown 0.4 / 0.12, fused 0.52", () => {
    const fused = weightedFuse({ semantic: 0.8, tag: 0.4 }, { semantic: 0.5, tag: 0.3 });
    expect(fused.breakdown.semantic).toBeCloseTo(0.4, 12);
    expect(fused.breakdown.tag).toBeCloseTo(0.12, 12);
    expect(fused.finalScore).toBeCloseTo(0.52, 12);
    expect(fused.features).toEqual([0.8, 0, 0.4, 0, 0, 0]);
  });
  it("gives unknown scorers weight 0", () => {
    expect(weightedFuse({ novelty: 1 }, { semantic: 1 })).toEqual({
      finalScore: 0,
      breakdown: { novelty: 0 },
      features: [0, 0, 0, 0, 0, 0],
    });
  });
});

describe("work kept beside frozen items and models", () => {
  const tags = () => [
    { facet: "theme_what", label: "Forced Labour", weight: 1 },
    { facet: "theme_what", label: "forced labor", weight: 0.5 },
  ];
  it("normalises a frozen item's tags once, and an unfrozen item's on every call", () => {
    const frozen = { tags: tags() };
    Object.freeze(frozen.tags);
    const once = contentTagWeights(frozen);
    expect([...once]).toEqual([["theme_what:forced labor", 0.5]]);
    expect(contentTagWeights(frozen)).toBe(once);
    const open = { tags: tags() };
    const first = contentTagWeights(open);
    expect(contentTagWeights(open)).not.toBe(first);
    open.tags[1]!.weight = 0.25; // an unfrozen item may change: it is read again
    expect(contentTagWeights(open).get("theme_what:forced labor")).toBe(0.25);
  });
  it("prepares a frozen model's weights once", () => {
    const weights = Object.freeze({ "THEME_WHAT:Forced Labour": 2, "theme_what:workshops": 1 });
    const prepared = prepareWeights(weights);
    expect(prepared).toEqual({
      entries: [
        ["theme_what:forced labor", 2],
        ["theme_what:workshops", 1],
      ],
      total: 3,
    });
    expect(prepareWeights(weights)).toBe(prepared);
    expect(prepareWeights({ ...weights })).not.toBe(prepared);
  });
});
