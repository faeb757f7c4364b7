import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalTimestampMs, formatTimestamp, parseTimestamp } from "./time.js";

const isCanonicalTimestamp = (text: string) => canonicalTimestampMs(text) !== null;

describe("formatTimestamp", () => {
  it("writes what a Date's toISOString writes, for every instant", () => {
    const same = (ms: number) => {
      expect(formatTimestamp(ms)).toBe(new Date(ms).toISOString());
    };
    fc.assert(fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), same), {
      numRuns: 20_000,
    });
    // Around now, the leap days, the edges of the digit-by-digit years and beyond them
    fc.assert(fc.property(fc.integer({ min: 1.7e12, max: 1.9e12 }), same), { numRuns: 5000 });
    for (const text of ["2024-02-29", "2000-02-29", "1900-03-01", "1969-12-31", "1970-01-01", "2100-03-01"])
      for (const offset of [-1, 0, 1, 86_399_999]) same(Date.parse(`${text}T00:00:00Z`) + offset);
    for (const ms of [-62135596800001, -62135596800000, 0, -1, 253402300799999, 253402300800000, 8.64e15])
      same(ms);
    // Fractions truncate toward zero, as a Date's time value does.
    for (const ms of [1.5, -1.5, 1781085600000.9]) same(ms);
    expect(() => formatTimestamp(Number.NaN)).toThrow(RangeError);
  });
});

describe("parseTimestamp's canonical fast path", () => {
  it("reads every canonical timestamp as its instant (years 1–9999)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        expect(parseTimestamp(formatTimestamp(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves impossible dates and other forms to the general parser", () => {
    expect(parseTimestamp("2026-02-30T00:00:00.000Z")).toBeNull();
    expect(parseTimestamp("2024-02-29T23:59:59.999Z")).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parseTimestamp("2023-02-29T00:00:00.000Z")).toBeNull();
    expect(parseTimestamp("2026-06-10T24:00:00.000Z")).toBeNull();
    expect(parseTimestamp("2026-06-1OT10:00:00.000Z")).toBeNull();
    expect(parseTimestamp("2026-06-10T10:00:00.000+02:00")).toBe(Date.UTC(2026, 5, 10, 8));
    expect(parseTimestamp("0000-01-01T00:00:00.000Z")).toBeNull();
  });

  it("calls a text canonical exactly when formatting its instant writes the same text", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        expect(isCanonicalTimestamp(formatTimestamp(ms))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    for (const text of [
      "2026-06-10T10:00:00Z",
      "2026-06-10T10:00:00.000+00:00",
      "2026-06-10t10:00:00.000Z",
      "2026-06-10T10:00:00.000z",
      "2026-02-30T00:00:00.000Z",
      "0000-01-01T00:00:00.000Z",
      " 2026-06-10T10:00:00.000Z",
      "2026-06-10 10:00:00.000Z",
    ]) {
      const ms = parseTimestamp(text);
      expect(isCanonicalTimestamp(text)).toBe(ms !== null && formatTimestamp(ms) === text);
      expect(isCanonicalTimestamp(text)).toBe(false);
    }
  });
});
