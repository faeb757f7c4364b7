import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DotMatrix, dotRowsJs } from "./kernel.js";
import { KERNEL_WASM_BASE64 } from "./kernel-wasm.js";
import { dot, norm, normalizeInto } from "./vectors.js";

const fill = (matrix: DotMatrix, values: readonly number[]) => matrix.data.set(values);

/** Values in [−1, 1) from a seed (a linear congruential generator): the same values in every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  };
}

describe("the exact-scan kernel (docs/behaviour.md §7.2)", () => {
  it("runs WebAssembly SIMD on Node 20 for a dimension that is a multiple of 4", () => {
    expect(new DotMatrix(3, 8).kernel).toBe("wasm");
    expect(new DotMatrix(3, 6).kernel).toBe("js");
    expect(new DotMatrix(3, 8, { kernel: "js" }).kernel).toBe("js");
  });

  it("dot and normalizeInto give float32 vectors the same bits as any other array of their values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 64 }),
        (values) => {
          const a = Float32Array.from(values);
          const b = Float32Array.from(values, (x, i) => x * (i % 3) - 0.5);
          expect(Object.is(dot(a, b), dot(Array.from(a), Array.from(b)))).toBe(true);
          expect(Object.is(dot(a, b), dot(a, Float64Array.from(b)))).toBe(true);
          expect(Object.is(norm(a), Math.sqrt(dot(Array.from(a), Array.from(a))))).toBe(true);
          for (const n of [norm(a), 0, 3]) {
            const typed = normalizeInto(a, new Float32Array(a.length + 2), 1, n);
            expect([...typed]).toEqual([
              ...normalizeInto(Array.from(a), new Float32Array(a.length + 2), 1, n),
            ]);
          }
        },
      ),
    );
    expect(dot(Float32Array.of(1, 2), Float32Array.of(3))).toBe(0);
  });

  it("computes exact values", () => {
    const matrix = new DotMatrix(2, 4);
    fill(matrix, [1, 2, 3, 4, -1, 0.5, 0.25, 2]);
    expect([...matrix.dotAll([1, 1, 1, 1])]).toEqual([10, 1.75]);
    expect([...matrix.dotAll([0.5, -2, 4, 0])]).toEqual([0.5 - 4 + 12, -0.5 - 1 + 1]);
    expect(() => matrix.dotAll([1, 2])).toThrow(RangeError);
  });

  it("gives the same bits in WebAssembly and JavaScript, whatever the values", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 24 }).map((x) => x * 4),
        fc.integer(),
        (rows, d, seed) => {
          const next = seeded(seed);
          const values = Array.from({ length: rows * d }, next);
          const query = Float32Array.from({ length: d }, next);
          const wasm = new DotMatrix(rows, d);
          const js = new DotMatrix(rows, d, { kernel: "js" });
          fill(wasm, values);
          fill(js, values);
          expect(wasm.kernel).toBe("wasm");
          const a = wasm.dotAll(query);
          const b = js.dotAll(query);
          for (let r = 0; r < rows; r++) expect(Object.is(a[r], b[r])).toBe(true);
          // A float64 query (a taste vector: values no float32 holds) keeps its values in both kernels,
          // whether typed, plain, or a frozen plain array (copied once, then reused).
          const wide = Float64Array.from({ length: d }, () => next() / 3);
          const frozen = Object.freeze(Array.from(wide));
          const expected = js.dotAll(wide);
          for (const q of [wide, Array.from(wide), frozen, frozen]) {
            const got = wasm.dotAll(q);
            for (let r = 0; r < rows; r++) expect(Object.is(got[r], expected[r])).toBe(true);
          }
          expect(expected).not.toEqual(js.dotAll(Float32Array.from(wide)));
          // and the JavaScript kernel is the float64 dot product up to rounding
          for (let r = 0; r < rows; r++) {
            let exact = 0;
            for (let j = 0; j < d; j++) exact += query[j]! * Math.fround(values[r * d + j]!);
            expect(Math.abs(b[r]! - exact)).toBeLessThan(1e-12);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("takes rows four at a time and the rest alone: every row gets the bits it gets alone", () => {
    const d = 12;
    const row = (r: number) => Float32Array.from({ length: d }, (_, j) => Math.sin(r * 31 + j) / 3);
    const query = Float64Array.from({ length: d }, (_, j) => Math.cos(j) / 7);
    const alone = (r: number) => {
      const one = new DotMatrix(1, d);
      one.data.set(row(r));
      return one.dotAll(query)[0]!;
    };
    for (let rows = 1; rows <= 9; rows++) {
      const matrix = new DotMatrix(rows, d);
      for (let r = 0; r < rows; r++) matrix.data.set(row(r), r * d);
      const scores = matrix.dotAll(query);
      expect(scores).toHaveLength(rows);
      for (let r = 0; r < rows; r++) expect(Object.is(scores[r], alone(r))).toBe(true);
      expect([...scores]).toEqual([...dotRowsJs(query, matrix.data, rows, d)]);
    }
  });

  it("scans large matrices (several WebAssembly pages) and returns arrays the caller owns", () => {
    const rows = 5000;
    const d = 16;
    const matrix = new DotMatrix(rows, d);
    for (let i = 0; i < rows * d; i++) matrix.data[i] = ((i * 7919) % 101) / 101;
    const query = Float32Array.from({ length: d }, (_, j) => (j % 3) - 1);
    const first = matrix.dotAll(query);
    expect(first).toEqual(dotRowsJs(query, matrix.data, rows, d));
    first[0] = 99;
    expect(matrix.dotAll(query)[0]).not.toBe(99);
  });

  it("is compiled from kernel/dot.wat (scripts/build-kernel.mjs)", async () => {
    // @ts-expect-error: a build script without types
    const { compileKernel } = await import("../scripts/build-kernel.mjs");
    const bytes = (await compileKernel()) as Uint8Array;
    expect(Buffer.from(bytes).toString("base64")).toBe(KERNEL_WASM_BASE64);
  });
});

/**
 * The best `k` of every product `dotAll` gives (signed), among accepted rows, as a full scan's selection
 * ranks them: rows in order, each inserted after those it does not beat (ties to the lower row; a NaN
 * enters only a list that is not full).
 */
function rankAll(
  matrix: DotMatrix,
  query: ArrayLike<number>,
  k: number,
  accept: (row: number) => boolean,
  sign: 1 | -1,
): [number, number][] {
  const best: [number, number][] = [];
  matrix.dotAll(query).forEach((product, row) => {
    const score = sign * product;
    if (k <= 0 || !accept(row) || (best.length === k && !(score > best[k - 1]![1]))) return;
    let at = best.length;
    while (at > 0 && score > best[at - 1]![1]) at--;
    best.splice(at, 0, [row, score]);
    if (best.length > k) best.pop();
  });
  return best;
}

describe("the best rows from estimates (DotMatrix.estimate and nearest)", () => {
  /** A matrix of `rows` × `d` values from a seed: clusters, exact duplicates, zero rows, ties. */
  function world(
    rows: number,
    d: number,
    seed: number,
    options: { estimates?: boolean; kernel?: "js" } = {},
  ) {
    const next = seeded(seed);
    const matrix = new DotMatrix(rows, d, { estimates: true, ...options });
    const centres = Array.from({ length: 4 }, () => Array.from({ length: d }, next));
    for (let r = 0; r < rows; r++) {
      const kind = Math.abs(next());
      let row: number[];
      if (kind < 0.1) row = new Array(d).fill(0);
      else if (kind < 0.25 && r > 0) row = Array.from(matrix.data.subarray((r - 1) * d, r * d));
      else {
        const centre = centres[r % 4]!;
        row = centre.map((c) => c + 0.1 * next());
      }
      const n = Math.hypot(...row) || 1;
      matrix.data.set(
        row.map((x) => x / n),
        r * d,
      );
    }
    matrix.prepare();
    return { matrix, next };
  }

  it("gives the rows, order and bits of ranking every product, whatever the query, k, refusals and sign", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 12 }).map((x) => x * 4),
        fc.integer(),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(1 as const, -1 as const),
        fc.boolean(),
        (rows, d, seed, k, sign, sameAsRow) => {
          const { matrix, next } = world(rows, d, seed);
          const query = sameAsRow
            ? Float32Array.from(matrix.data.subarray(0, d))
            : Float64Array.from({ length: d }, () => next() / 7);
          const refused = new Set<number>();
          for (let r = 0; r < rows; r++) if (next() > 0.6) refused.add(r);
          const accept = (row: number) => !refused.has(row);
          const estimate = matrix.estimate(query);
          const want = rankAll(matrix, query, k, accept, sign);
          const got = matrix.nearest(estimate, k, accept, refused.size, sign);
          expect(got).toHaveLength(want.length);
          got.forEach(([row, score], i) => {
            expect(row).toBe(want[i]![0]);
            expect(Object.is(score, want[i]![1])).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("estimates from an int8 copy within their slack, and computes few rows exactly for a small k", () => {
    const { matrix } = world(3000, 384, 7);
    const query = Float32Array.from(matrix.data.subarray(5 * 384, 6 * 384));
    const estimate = matrix.estimate(query);
    expect(estimate.slack).not.toBeNull();
    const exact = matrix.dotAll(query);
    let widest = 0;
    for (let r = 0; r < 3000; r++) {
      expect(Math.abs(exact[r]! - estimate.values[r]!)).toBeLessThanOrEqual(estimate.slack![r]!);
      widest = Math.max(widest, estimate.slack![r]!);
    }
    // Unit rows of 384 values: each estimate within about a hundredth of the cosine.
    expect(widest).toBeLessThan(0.02);
    let asked = 0;
    const best = matrix.nearest(
      estimate,
      30,
      () => {
        asked += 1;
        return true;
      },
      0,
    );
    expect(best.map(([row]) => row)).toEqual(rankAll(matrix, query, 30, () => true, 1).map(([row]) => row));
    expect(asked).toBeLessThan(300);
  });

  it("keeps a row whose estimate ranks it below another only by rounding (the slack is not too tight)", () => {
    // int8 copies round 0.49 down and 0.51 up: row 1's estimate beats row 0's by 8 units, its exact
    // product loses by 3.27. A slack of a tenth of the bound would drop row 0, the true best.
    const matrix = new DotMatrix(2, 16, { estimates: true });
    matrix.data.set([127, ...new Array(15).fill(0.49)], 0);
    matrix.data.set([127, ...new Array(8).fill(0.51), ...new Array(7).fill(0)], 16);
    const query = new Array(16).fill(1);
    const estimate = matrix.estimate(query);
    expect(estimate.values[1]! - estimate.values[0]!).toBeCloseTo(8, 9);
    expect(matrix.nearest(estimate, 1, () => true, 0)).toEqual([[0, matrix.dotAll(query)[0]]]);
  });

  it("falls back to exact products: the JavaScript kernel, estimates off, a query that is not finite", () => {
    const js = world(40, 8, 3, { kernel: "js" }).matrix;
    const off = world(40, 8, 3, { estimates: false }).matrix;
    const on = world(40, 8, 3).matrix;
    const query = Float64Array.from({ length: 8 }, (_, j) => Math.sin(j));
    expect(js.estimate(query).slack).toBeNull();
    expect(off.estimate(query).slack).toBeNull();
    expect(on.estimate(query).slack).not.toBeNull();
    const broken = Float64Array.from(query);
    broken[3] = Number.NaN;
    expect(on.estimate(broken).slack).toBeNull();
    for (const matrix of [js, off, on]) {
      expect(matrix.nearest(matrix.estimate(query), 5, () => true, 0)).toEqual(
        rankAll(matrix, query, 5, () => true, 1),
      );
    }
    expect(new DotMatrix(600, 8).estimate(query).slack).not.toBeNull();
    expect(new DotMatrix(100, 8).estimate(query).slack).toBeNull();
  });

  it("ranks every row exactly when a product may not be finite, as a full scan places a NaN", () => {
    const matrix = new DotMatrix(8, 4, { estimates: true });
    matrix.data.set([1, 0, 0, 0, Number.NaN, 0, 0, 0, 0.5, 0.5, 0, 0, Number.POSITIVE_INFINITY, 0, 0, 0]);
    const query = [1, 0.5, 0, 0];
    // No estimate bounds a product that may not be finite: every row is ranked, as a full scan does.
    expect(matrix.estimate(query).slack).toBeNull();
    const huge = new DotMatrix(4, 4, { estimates: true });
    huge.data.set([1e200, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(huge.estimate([1e200, 0, 0, 0]).slack).toBeNull();
    expect(huge.estimate([1, 0, 0, 0]).slack).toBeNull();
    for (const k of [1, 2, 3, 8]) {
      const got = matrix.nearest(matrix.estimate(query), k, () => true, 0);
      expect(got).toEqual(rankAll(matrix, query, k, () => true, 1));
    }
  });
});

describe("the batch kernel and the pool's vector scores", () => {
  it("BatchDots: rows of another dimension or missing count as zeros; it grows and keeps exact values", async () => {
    const { batchDots } = await import("./kernel.js");
    batchDots.load([[1, 2, 3, 4], null, [1, 1], [0.5, 0.5, 0.5, 0.5]], 4);
    expect([...batchDots.scan([1, 0, 0, 1])]).toEqual([5, 0, 0, 1]);
    const many = Array.from({ length: 3000 }, (_, r) =>
      Float32Array.from({ length: 64 }, (_, j) => ((r + j) % 7) - 3),
    );
    batchDots.load(many, 64);
    const query = Float32Array.from({ length: 64 }, (_, j) => (j % 5) - 2);
    const expected = dotRowsJs(query, Float32Array.from(many.flatMap((r) => [...r])), 3000, 64);
    expect(batchDots.scan(query)).toEqual(expected);
    // Into the caller's array: its first values written, the rest left; the same array returned.
    const out = new Float64Array(3002).fill(7);
    expect(batchDots.scan(query, out)).toBe(out);
    expect(out.subarray(0, 3000)).toEqual(expected);
    expect([...out.subarray(3000)]).toEqual([7, 7]);
    // Rows not a multiple of four (the last ones scanned alone): nothing written past them.
    batchDots.load(many.slice(0, 2999), 64);
    out.fill(7);
    batchDots.scan(query, out);
    expect(out.subarray(0, 2999)).toEqual(expected.subarray(0, 2999));
    expect([...out.subarray(2999)]).toEqual([7, 7, 7]);
  });

  it("vectorScoresOf equals the scorers applied one candidate at a time (to 1e-12)", async () => {
    const { vectorScoresOf } = await import("./serve/built-in-scorers.js");
    const { affinityScore, recencyScore, semanticScore } = await import("./scorers.js");
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 30 }),
        (seed, likes, n) => {
          const next = seeded(seed);
          const vec = (d = 12) => Float32Array.from({ length: d }, next);
          const vectors = Array.from({ length: n }, (_, i) =>
            i % 7 === 3 ? null : i % 11 === 5 ? vec(8) : vec(),
          );
          const context = {
            taste: Array.from(vec()),
            recency: seed % 3 === 0 ? null : Array.from(vec()),
            liked: Array.from({ length: likes }, (_, k) => ({
              vector: k === 2 ? vec(8) : vec(),
              weight: (k + 1) / likes,
            })),
          };
          const pooled = vectorScoresOf(vectors, context);
          vectors.forEach((v, r) => {
            expect(Math.abs(pooled[r]!.semantic - semanticScore(context.taste, v))).toBeLessThan(1e-12);
            expect(Math.abs(pooled[r]!.recency - recencyScore(context.recency, v))).toBeLessThan(1e-12);
            expect(Math.abs(pooled[r]!.affinity - affinityScore(v, context.liked))).toBeLessThan(1e-12);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
