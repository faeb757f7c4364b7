import { DEFAULT_REC_CONFIG, END_REASONS } from "@recsys/ports";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decay, engagementStrength } from "./engagement.js";

const cfg = DEFAULT_REC_CONFIG;

describe("engagement properties", () => {
  it("strength is non-decreasing in dwell (up to and past the cap)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        fc.constantFrom(null, ...END_REASONS),
        fc.integer({ min: 0, max: 20 }),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
        (a, b, est, endReason, visits, rating) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const base = { estimateSeconds: est, endReason, visits, rating };
          const sLo = engagementStrength({ ...base, dwellSeconds: lo }, cfg);
          const sHi = engagementStrength({ ...base, dwellSeconds: hi }, cfg);
          expect(sHi).toBeGreaterThanOrEqual(sLo);
        },
      ),
    );
  });

  it("decay is 1 at age 0 and non-increasing in age", () => {
    const now = 1_781_092_800_000;
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 3650, noNaN: true }),
        fc.double({ min: 0, max: 3650, noNaN: true }),
        fc.double({ min: 0.01, max: 365, noNaN: true }),
        (a, b, halfLife) => {
          const [young, old] = a <= b ? [a, b] : [b, a];
          expect(decay(now, now, halfLife)).toBe(1);
          expect(decay(now - old * 86_400_000, now, halfLife)).toBeLessThanOrEqual(
            decay(now - young * 86_400_000, now, halfLife),
          );
        },
      ),
    );
  });
});
