import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roundHalfEven, roundHalfEvenExact } from "./rounding.js";

describe("roundHalfEven", () => {
  it("rounds ties to even on the exact binary value, as Python's round", () => {
    // round(0.03125, 4) == 0.0312 (an exact tie, 2 even); round(0.03135, 4) == 0.0314 (0.03135 is a
    // little above the tie in binary); round(2.675, 2) == 2.67 (a little below).
    expect(roundHalfEven(0.03125, 4)).toBe(0.0312);
    expect(roundHalfEven(0.03135, 4)).toBe(0.0314);
    expect(roundHalfEven(2.675, 2)).toBe(2.67);
    expect(roundHalfEven(0.5, 0)).toBe(0);
    expect(roundHalfEven(1.5, 0)).toBe(2);
    expect(roundHalfEven(2.5, 0)).toBe(2);
    expect(roundHalfEven(-0.03125, 4)).toBe(-0.0312);
    expect(roundHalfEven(1 / 3, 4)).toBe(0.3333);
    expect(roundHalfEven(2 / 3, 4)).toBe(0.6667);
    expect(Object.is(roundHalfEven(-0.00001, 4), -0)).toBe(true);
    expect(Object.is(roundHalfEven(-0, 4), 0)).toBe(true);
    expect(roundHalfEven(Number.NaN, 4)).toBeNaN();
    expect(roundHalfEven(Number.POSITIVE_INFINITY, 4)).toBe(Number.POSITIVE_INFINITY);
  });

  it("gives exactly what the exact decimal expansion gives (the fast path changes no bit)", () => {
    const digits = fc.integer({ min: 0, max: 8 });
    const values = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
      // Ratios as the model builds them: count / n and sums of ratios over n.
      fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 400 })).map(([a, b]) => a / b),
      // Exact ties and their neighbours.
      fc
        .tuple(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: 6 }))
        .chain(([n, d]) =>
          fc.constantFrom((n + 0.5) / 10 ** d, (n + 0.5000001) / 10 ** d, (n + 0.4999999) / 10 ** d),
        ),
    );
    fc.assert(
      fc.property(values, digits, (value, d) => {
        expect(Object.is(roundHalfEven(value, d), roundHalfEvenExact(value, d))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
