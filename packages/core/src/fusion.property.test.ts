import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuserFor, weightedFuse } from "./fusion.js";

/** Scorer names, with the ones an object would reorder (repeats, array indexes) and the six features. */
const name = fc.constantFrom(
  "semantic",
  "affinity",
  "tag",
  "recency",
  "aversion",
  "geo",
  "novelty",
  "custom",
  "1",
  "0",
  "01",
  "__proto__x",
);

describe("fuserFor (docs/behaviour.md §6.5)", () => {
  it("gives weightedFuse of the record of the same scores, bit for bit and in key order", () => {
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 8 }),
        fc.dictionary(name, fc.double({ min: -2, max: 2, noNaN: true })),
        fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (names, weights, pool) => {
          const fuse = fuserFor(names, weights);
          for (const scores of pool) {
            const record: Record<string, number> = {};
            names.forEach((n, k) => {
              record[n] = scores[k]!;
            });
            const expected = weightedFuse(record, weights);
            const fused = fuse(scores.slice(0, names.length));
            expect(Object.is(fused.finalScore, expected.finalScore)).toBe(true);
            expect(Object.keys(fused.breakdown)).toEqual(Object.keys(expected.breakdown));
            const same = (a: readonly number[], b: readonly number[]) =>
              a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
            expect(same(Object.values(fused.breakdown), Object.values(expected.breakdown))).toBe(true);
            expect(same(fused.features, expected.features)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
