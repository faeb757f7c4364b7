import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DotMatrix, dotRowsJs } from "./kernel.js";
import { KERNEL_WASM_BASE64 } from "./kernel-wasm.js";
import { dot, norm, normalizeInto } from "./vectors.js";

const fill = (matrix: DotMatrix, values: readonly number[]) => matrix.data.set(values);

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
          let state = seed >>> 0;
          const next = () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return (state / 2 ** 32) * 2 - 1;
          };
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
          let state = seed >>> 0;
          const next = () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return (state / 2 ** 32) * 2 - 1;
          };
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
