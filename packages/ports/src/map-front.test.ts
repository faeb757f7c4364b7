import { describe, expect, it } from "vitest";
import { MapFront } from "./map-front.js";

const mapOf = (n: number) => new Map(Array.from({ length: n }, (_, i) => [i, `v${i}`] as const));

describe("MapFront", () => {
  it("shifts entries oldest first, and nothing from an empty map", () => {
    const map = mapOf(3);
    const front = new MapFront(map);
    expect(front.shift()).toEqual([0, "v0"]);
    expect(front.peek()).toEqual([1, "v1"]);
    expect(front.shift()).toEqual([1, "v1"]);
    expect(front.shift()).toEqual([2, "v2"]);
    expect(front.shift()).toBeUndefined();
    expect(front.peek()).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it("bounds a least-recently-used cache exactly, by recency of use", () => {
    const map = mapOf(9);
    const front = new MapFront(map);
    const use = (key: number) => {
      const value = map.get(key)!;
      map.delete(key);
      map.set(key, value);
    };
    use(0);
    use(4);
    map.set(9, "v9");
    while (map.size > 8) front.shift();
    expect([...map.keys()]).toEqual([3, 5, 6, 7, 8, 0, 4, 9]);
    // The oldest key was used (moved to the back) after the last shift: it is not the front any more.
    use(3);
    map.set(10, "v10");
    while (map.size > 8) front.shift();
    expect([...map.keys()]).toEqual([6, 7, 8, 0, 4, 9, 3, 10]);
  });

  it("goes on from where it stopped, through deletions and after the map emptied", () => {
    const map = mapOf(5);
    const front = new MapFront(map);
    expect(front.shift()).toEqual([0, "v0"]);
    map.delete(1);
    map.delete(2);
    expect(front.shift()).toEqual([3, "v3"]);
    expect(front.shift()).toEqual([4, "v4"]);
    expect(front.shift()).toBeUndefined();
    map.set(7, "v7");
    map.set(8, "v8");
    expect(front.shift()).toEqual([7, "v7"]);
    expect([...map.keys()]).toEqual([8]);
  });

  it("forgets a peeked front that was deleted, or set again with another value", () => {
    const map = new Map<string, { n: number }>([
      ["a", { n: 1 }],
      ["b", { n: 2 }],
      ["c", { n: 3 }],
    ]);
    const front = new MapFront(map);
    expect(front.peek()?.[0]).toBe("a");
    map.delete("a");
    expect(front.peek()?.[0]).toBe("b");
    map.delete("b");
    map.set("b", { n: 4 }); // a new entry, at the back
    expect(front.peek()?.[0]).toBe("c");
    expect(front.shift()?.[0]).toBe("c");
    expect(front.shift()).toEqual(["b", { n: 4 }]);
  });

  it("keeps its place while a rebuilt table drops many deleted slots", () => {
    const map = mapOf(1000);
    const front = new MapFront(map);
    for (let i = 0; i < 1000; i++) {
      map.set(1000 + i, `v${1000 + i}`);
      while (map.size > 1000) front.shift();
    }
    expect(map.size).toBe(1000);
    expect(front.peek()).toEqual([1000, "v1000"]);
    expect([...map.keys()]).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
  });
});
