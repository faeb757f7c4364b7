import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mmrRerank } from "./mmr.js";
import { normalized } from "./vectors.js";

const v = (...xs: number[]) => normalized(xs);

describe("mmrRerank (docs/behaviour.md §6.7)", () => {
  const items = [
    { score: 1.0, vector: v(1, 0) },
    { score: 0.9, vector: v(1, 0.01) },
    { score: 0.5, vector: v(0, 1) },
  ];
  it("always puts the most relevant item first", () => {
    for (const lambda of [1, 0.5, 0]) expect(mmrRerank(items, 3, lambda)[0]).toBe(0);
  });
  it("λ = 1 keeps relevance order; λ = 0 moves the orthogonal item ahead of the near-duplicate", () => {
    expect(mmrRerank(items, 3, 1)).toEqual([0, 1, 2]);
    expect(mmrRerank(items, 3, 0)).toEqual([0, 2, 1]);
  });
  it("returns exactly limit items when more are available", () => {
    expect(mmrRerank(items, 2, 0.7)).toHaveLength(2);
  });
  it("takes the first of tied values in score order (docs/behaviour.md Appendix B order)", () => {
    const e = (axis: number) => {
      const out = new Float32Array(3);
      out[axis] = 1;
      return out;
    };
    const world = [
      { score: 0.657174, vector: e(0) }, // 103
      { score: 0.223913, vector: e(1) }, // 201
      { score: 0.223913, vector: e(1) }, // 202
      { score: 0.223913, vector: e(1) }, // 203
      { score: 0.223913, vector: e(2) }, // 301
      { score: 0.223913, vector: e(2) }, // 302
    ];
    expect(mmrRerank(world, 9, 0.7)).toEqual([0, 1, 4, 2, 3, 5]);
  });
  it("treats a missing vector as similarity 0", () => {
    expect(
      mmrRerank(
        [
          { score: 1, vector: v(1, 0) },
          { score: 0.5, vector: v(1, 0) },
          { score: 0.4, vector: null },
        ],
        3,
        0.5,
      ),
    ).toEqual([0, 2, 1]);
  });
});

const arbitraryItems = fc.array(
  fc.record({
    score: fc.double({ min: -1, max: 1, noNaN: true }),
    vector: fc.option(
      fc
        .array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 })
        .map((xs) => normalized(xs)),
      { nil: null },
    ),
  }),
  { maxLength: 30 },
);

describe("mmrRerank properties", () => {
  it("returns a duplicate-free subset of length min(k, n)", () => {
    fc.assert(
      fc.property(
        arbitraryItems,
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (items, k, lambda) => {
          const picked = mmrRerank(items, k, lambda);
          expect(picked).toHaveLength(Math.min(k, items.length));
          expect(new Set(picked).size).toBe(picked.length);
          for (const index of picked) expect(index >= 0 && index < items.length).toBe(true);
        },
      ),
    );
  });
  it("λ = 1 gives relevance order (stable)", () => {
    fc.assert(
      fc.property(arbitraryItems, (items) => {
        const expected = items.map((_, i) => i).sort((a, b) => items[b]!.score - items[a]!.score || a - b);
        expect(mmrRerank(items, items.length, 1)).toEqual(expected);
      }),
    );
  });
  it("matches the quadratic definition (max over all selected) exactly", () => {
    fc.assert(
      fc.property(
        arbitraryItems,
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (items, k, lambda) => {
          expect(mmrRerank(items, k, lambda)).toEqual(naiveMmr(items, k, lambda));
        },
      ),
    );
  });
});

function naiveMmr(
  items: readonly { score: number; vector: Float32Array | null }[],
  k: number,
  lambda: number,
): number[] {
  const remaining = items.map((_, i) => i).sort((a, b) => items[b]!.score - items[a]!.score || a - b);
  const selected: number[] = [];
  const sim = (a: Float32Array | null, b: Float32Array | null) => {
    if (!a || !b) return 0;
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return s;
  };
  while (remaining.length > 0 && selected.length < k) {
    let bestPos = 0;
    let best = Number.NEGATIVE_INFINITY;
    remaining.forEach((index, pos) => {
      const item = items[index]!;
      const value =
        selected.length === 0
          ? item.score
          : lambda * item.score -
            (1 - lambda) * Math.max(...selected.map((s) => sim(item.vector, items[s]!.vector)));
      if (value > best) {
        best = value;
        bestPos = pos;
      }
    });
    selected.push(remaining.splice(bestPos, 1)[0]!);
  }
  return selected;
}
