import { describe, expect, it } from "vitest";
import { keepNewest, onceForFrozen } from "./memo.js";

const mapOf = (n: number) => new Map(Array.from({ length: n }, (_, i) => [i, `v${i}`] as const));

describe("keepNewest", () => {
  it("drops nothing while the map is within the bound", () => {
    const map = mapOf(16);
    expect(keepNewest(map, 16)).toBe(0);
    expect([...map.keys()]).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it("drops the oldest entries, down to an eighth below the bound", () => {
    const map = mapOf(17);
    expect(keepNewest(map, 16)).toBe(3);
    expect([...map.keys()]).toEqual(Array.from({ length: 14 }, (_, i) => i + 3));
  });

  it("keeps exactly the newest entry with a bound of one, and none with zero", () => {
    const one = mapOf(3);
    expect(keepNewest(one, 1)).toBe(2);
    expect([...one.entries()]).toEqual([[2, "v2"]]);
    const none = mapOf(3);
    expect(keepNewest(none, 0)).toBe(3);
    expect(none.size).toBe(0);
  });

  it("goes by recency of use when each use moves its key last", () => {
    const map = mapOf(9);
    for (const used of [0, 4, 1]) {
      const value = map.get(used)!;
      map.delete(used);
      map.set(used, value);
    }
    map.set(9, "v9");
    expect(keepNewest(map, 9)).toBe(2); // 10 → 8
    expect([...map.keys()]).toEqual([5, 6, 7, 8, 0, 4, 1, 9]);
  });
});

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
