import { DEFAULT_REC_CONFIG, type RecConfig } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { addPolicySums, emptyPolicySums, invertMatrix, LinUcb, policySumsOf } from "./linucb.js";

const cfg: RecConfig = DEFAULT_REC_CONFIG;
const unit = (i: number) => Array.from({ length: 6 }, (_, j) => (i === j ? 1 : 0));
const TAG = 2;
const SEMANTIC = 0;
const GEO = 5;

describe("LinUCB (docs/behaviour.md §6.12)", () => {
  it("inverts by Gauss-Jordan: A·A⁻¹ = I within 1e-9, and survives a singular matrix", () => {
    const A = [
      [4, 1, 0.5, 0, 0, 0.2],
      [1, 3, 0, 0.1, 0, 0],
      [0.5, 0, 2, 0, 0.3, 0],
      [0, 0.1, 0, 1.5, 0, 0],
      [0, 0, 0.3, 0, 1, 0.05],
      [0.2, 0, 0, 0, 0.05, 2.5],
    ];
    const inverse = invertMatrix(A);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) {
        const value = A[i]!.reduce((sum, a, k) => sum + a * inverse[k]![j]!, 0);
        expect(Math.abs(value - (i === j ? 1 : 0))).toBeLessThan(1e-9);
      }
    expect(
      invertMatrix([
        [0, 0],
        [0, 1],
      ])
        .flat()
        .every(Number.isFinite),
    ).toBe(true);
  });

  it("starts at the prior: θ = the fusion weights in feature order, for any ridge", () => {
    for (const ridge of [0.1, 1, 25]) {
      const bandit = new LinUcb({ ...cfg, bandit_ridge: ridge });
      const weights = [0.2, 0.1, 0.45, 0.05, -0.3, 0.2]; // semantic, affinity, tag, recency, aversion, geo
      for (const [i, t] of bandit.theta.entries()) expect(t).toBeCloseTo(weights[i]!, 12);
      expect(bandit.prior).toEqual(weights);
    }
  });

  it("learns: rewarded tag contexts raise θ_tag above 0.5; punished semantic ones make θ_semantic negative", () => {
    const up = new LinUcb(cfg, policySumsOf(Array.from({ length: 20 }, () => ({ x: unit(TAG), reward: 1 }))));
    expect(up.theta[TAG]).toBeGreaterThan(0.5);
    expect(up.theta[TAG]).toBeCloseTo((0.45 + 20) / 21, 12);
    const down = new LinUcb(
      cfg,
      policySumsOf(Array.from({ length: 20 }, () => ({ x: unit(SEMANTIC), reward: -1 }))),
    );
    expect(down.theta[SEMANTIC]).toBeLessThan(0);
  });

  it("the confidence bonus never lowers a score", () => {
    const bandit = new LinUcb(cfg, policySumsOf([{ x: [0.5, 0.1, 0.9, 0, 0, 0], reward: 0.4 }]));
    for (const x of [unit(0), [0.3, 0.2, 0.7, 0.1, 0, 0.9], [0, 0, 0, 0, 1, 0]])
      expect(bandit.score(x, true)).toBeGreaterThanOrEqual(bandit.score(x, false));
    const greedy = new LinUcb({ ...cfg, bandit_alpha: 0 });
    expect(greedy.score(unit(TAG), true)).toBe(greedy.score(unit(TAG), false));
  });

  it("two half-weight observations equal one full one; sums add", () => {
    const x = [0.2, 0.4, 0.6, 0.8, 0.1, 0];
    const half = policySumsOf([
      { x, reward: 0.7, weight: 0.5 },
      { x, reward: 0.7, weight: 0.5 },
    ]);
    const full = policySumsOf([{ x, reward: 0.7 }]);
    for (const [i, a] of half.A.entries()) expect(a).toBeCloseTo(full.A[i]!, 15);
    for (const [i, b] of half.b.entries()) expect(b).toBeCloseTo(full.b[i]!, 15);
    expect(addPolicySums(full, full).A[0]).toBeCloseTo(2 * full.A[0]!, 15);
    expect(addPolicySums(emptyPolicySums(), full).n_updates).toBe(1);
  });

  it("reports health: data and confidence per feature, and a verdict", () => {
    const fresh = new LinUcb(cfg).health();
    expect(fresh).toMatchObject({
      n_updates: 0,
      data: [0, 0, 0, 0, 0, 0],
      mean_confidence: 0,
      verdict: "cold",
    });
    expect(fresh.no_data).toEqual(["semantic", "affinity", "tag", "recency", "aversion", "geo"]);
    const five = new LinUcb(
      cfg,
      policySumsOf(Array.from({ length: 5 }, () => ({ x: unit(TAG), reward: 1 }))),
    ).health();
    expect(five.data[TAG]).toBe(5);
    expect(five.data[GEO]).toBe(0);
    expect(five.confidence[TAG]).toBeCloseTo(1 - Math.sqrt(1 / 6), 12);
    expect(five.confidence[GEO]).toBe(0);
    expect(five.no_data).not.toContain("tag");
    expect(five.verdict).toBe("cold");
    const many = new LinUcb(
      cfg,
      policySumsOf(Array.from({ length: 60 }, (_, i) => ({ x: unit(i % 6), reward: 0.5 }))),
    ).health();
    expect(many.verdict).toBe("converged"); // 10 per feature: std = 1/√11, confidence ≈ 0.70
    // 4 weak observations per feature: A_ii = 1 + 4·0.25 = 2, confidence = 1 − 1/√2 ≈ 0.29
    const weak = Array.from({ length: 24 }, (_, i) => ({ x: unit(i % 6).map((v) => v / 2), reward: 0.5 }));
    const few = new LinUcb(cfg, policySumsOf(weak)).health();
    expect(few.mean_confidence).toBeCloseTo(1 - Math.SQRT1_2, 12);
    expect(few.verdict).toBe("learning");
  });
});
