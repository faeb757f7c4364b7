import { describe, expect, it } from "vitest";
import { onceForFrozen } from "./memo.js";

describe("onceForFrozen", () => {
  it("computes once per frozen key and every time for others", () => {
    const cache = new WeakMap<object, number>();
    let calls = 0;
    const compute = () => ++calls;
    const frozen = Object.freeze({});
    expect(onceForFrozen(cache, frozen, compute)).toBe(1);
    expect(onceForFrozen(cache, frozen, compute)).toBe(1);
    const open = {};
    expect(onceForFrozen(cache, open, compute)).toBe(2);
    expect(onceForFrozen(cache, open, compute)).toBe(3);
  });
});
