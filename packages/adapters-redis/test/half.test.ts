import { getFloat16, setFloat16 } from "@petamoriken/float16";
import { describe, expect, it } from "vitest";
import { halfToNumber, numberToHalf } from "../src/half.js";

const view = new DataView(new ArrayBuffer(2));
/** The float16 library's bits for a number. */
const libraryBits = (value: number): number => {
  setFloat16(view, 0, value);
  return view.getUint16(0);
};
/** The float16 library's number for some bits. */
const libraryValue = (bits: number): number => {
  view.setUint16(0, bits);
  return getFloat16(view, 0);
};

/** A deterministic stream of doubles in [0, 1) (xorshift). */
function* randoms(seed: number): Generator<number> {
  let s = seed >>> 0 || 1;
  for (;;) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    yield s / 2 ** 32;
  }
}

describe("float16 (the compact model's vectors, docs/behaviour.md §7.4)", () => {
  it("reads every one of the 65,536 patterns as the float16 library does", () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const ours = halfToNumber(bits);
      const theirs = libraryValue(bits);
      if (!Object.is(ours, theirs)) expect([bits, ours]).toEqual([bits, theirs]);
    }
  });

  it("rounds as the float16 library does: every half, every tie between neighbours and the doubles around it", () => {
    const check = (value: number) => {
      const ours = numberToHalf(value);
      const theirs = libraryBits(value);
      if (ours !== theirs) expect([value, ours]).toEqual([value, theirs]);
    };
    for (const value of [0, -0, Infinity, -Infinity, Number.NaN, 65_504, 65_519.99, 65_520, 1e300, 5e-324])
      check(value);
    for (let bits = 0; bits < 0x7c00; bits++) {
      const low = halfToNumber(bits);
      const high = halfToNumber(bits + 1);
      const tie = (low + high) / 2; // exact: halves have 11 significant bits
      for (const value of [low, tie, high]) {
        for (const x of [value, value * (1 + 2 ** -52), value * (1 - 2 ** -53), value + 5e-324]) {
          check(x);
          check(-x);
        }
      }
    }
  });

  it("rounds a million random doubles of every size as the float16 library does", () => {
    const next = randoms(20261130);
    for (let i = 0; i < 1_000_000; i++) {
      const magnitude = 2 ** (next.next().value * 50 - 32); // 2⁻³² … 2¹⁸
      const value = (next.next().value < 0.5 ? -1 : 1) * magnitude * (1 + next.next().value);
      const ours = numberToHalf(value);
      const theirs = libraryBits(value);
      if (ours !== theirs) expect([value, ours]).toEqual([value, theirs]);
    }
  });
});
