import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchDots } from "./kernel.js";
import { type MmrItem, mmrRerank } from "./mmr.js";
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

/** MMR comparing every remaining item with every newly selected one (the batch kernel's scans): the lazy
 * implementation must pick exactly the same items. */
function eagerMmr(items: readonly MmrItem[], k: number, lambda: number): number[] {
  const remaining = items.map((_, i) => i).sort((a, b) => items[b]!.score - items[a]!.score || a - b);
  const limit = Math.min(Math.max(0, Math.floor(k)), remaining.length);
  const selected: number[] = [];
  if (limit === 0) return selected;
  const maxSim = new Float64Array(items.length).fill(Number.NEGATIVE_INFINITY);
  selected.push(remaining.shift()!);
  const d = items.find((item) => item.vector && item.vector.length > 0)?.vector?.length ?? 0;
  if (limit > 1 && d > 0)
    batchDots.load(
      items.map((item) => item.vector),
      d,
    );
  while (selected.length < limit) {
    const last = items[selected[selected.length - 1]!]!.vector;
    const sims = last && last.length === d && d > 0 ? batchDots.scan(last) : null;
    let bestPos = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let pos = 0; pos < remaining.length; pos++) {
      const index = remaining[pos]!;
      const sim = sims ? sims[index]! : 0;
      if (sim > maxSim[index]!) maxSim[index] = sim;
      const value = lambda * items[index]!.score - (1 - lambda) * maxSim[index]!;
      if (value > bestValue) {
        bestValue = value;
        bestPos = pos;
      }
    }
    selected.push(remaining.splice(bestPos, 1)[0]!);
  }
  return selected;
}

describe("mmrRerank, lazy", () => {
  it("picks exactly what comparing every item at every step picks (WebAssembly and JavaScript kernels)", () => {
    for (const d of [8, 6]) {
      // Few distinct scores and vectors, so values tie often; missing vectors and ones of another length.
      const vector = fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 5 }) },
        { weight: 1, arbitrary: fc.constant(-1) },
        { weight: 1, arbitrary: fc.constant(-2) },
      );
      const pool = fc.array(fc.record({ score: fc.integer({ min: 0, max: 6 }), vector }), { maxLength: 40 });
      fc.assert(
        fc.property(
          pool,
          fc.integer({ min: 0, max: 44 }),
          fc.oneof(fc.constantFrom(0, 0.3, 0.7, 1), fc.double({ min: 0, max: 1, noNaN: true })),
          fc.integer(),
          (spec, k, lambda, seed) => {
            let state = seed >>> 0;
            const next = () => {
              state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
              return (state / 2 ** 32) * 2 - 1;
            };
            const bank = Array.from({ length: 6 }, () => normalized(Array.from({ length: d }, next)));
            const items = spec.map(({ score, vector }) => ({
              score: score / 7 + (score % 2) * 1e-17,
              vector: vector === -1 ? null : vector === -2 ? normalized([1, 2]) : bank[vector]!,
            }));
            expect(mmrRerank(items, k, lambda)).toEqual(eagerMmr(items, k, lambda));
          },
        ),
        { numRuns: 1500 },
      );
    }
  });

  it("computes fewer products than comparing every item at every step on a 384-d pool", () => {
    const dots = { scan: 0, row: 0 };
    const scan = batchDots.scan.bind(batchDots);
    const row = batchDots.dotRow.bind(batchDots);
    let state = 7;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state / 2 ** 32) * 2 - 1;
    };
    // Six themes of ten near items each; scores spread as a fused score's.
    const themes = Array.from({ length: 6 }, () => Array.from({ length: 384 }, next));
    const items = Array.from({ length: 60 }, (_, i) => ({
      score: 0.25 + 0.2 * Math.abs(next()),
      vector: normalized(themes[i % 6]!.map((x) => x + 0.4 * next())),
    }));
    try {
      batchDots.scan = (query, out) => {
        dots.scan += 60;
        return scan(query, out);
      };
      batchDots.dotRow = (slot, r) => {
        dots.row += 1;
        return row(slot, r);
      };
      const lazy = mmrRerank(items, 9, 0.7);
      const eager = eagerMmr(items, 9, 0.7);
      expect(lazy).toEqual(eager);
    } finally {
      batchDots.scan = scan;
      batchDots.dotRow = row;
    }
    expect(dots.scan).toBe(8 * 60);
    expect(dots.row).toBeLessThan(dots.scan * 0.75);
  });
});
