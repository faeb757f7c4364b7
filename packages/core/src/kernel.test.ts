import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DotMatrix, dotRowsJs } from "./kernel.js";
import { KERNEL_WASM_BASE64 } from "./kernel-wasm.js";

const fill = (matrix: DotMatrix, values: readonly number[]) => matrix.data.set(values);

describe("the exact-scan kernel (docs/behaviour.md §7.2)", () => {
  it("runs WebAssembly SIMD on Node 20 for a dimension that is a multiple of 4", () => {
    expect(new DotMatrix(3, 8).kernel).toBe("wasm");
    expect(new DotMatrix(3, 6).kernel).toBe("js");
    expect(new DotMatrix(3, 8, { kernel: "js" }).kernel).toBe("js");
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
