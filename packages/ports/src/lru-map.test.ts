import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruMap } from "./lru-map.js";

describe("LruMap", () => {
  it("orders entries by use, least recently used first", () => {
    const lru = new LruMap<string, number>();
    lru.set("a", 1).set("b", 2).set("c", 3);
    expect(lru.get("a")).toBe(1);
    expect(lru.keys()).toEqual(["b", "c", "a"]);
    expect(lru.peek("b")).toBe(2); // peeking leaves the order
    expect(lru.has("c")).toBe(true);
    expect(lru.keys()).toEqual(["b", "c", "a"]);
    lru.set("c", 30); // replacing is a use
    expect(lru.keys()).toEqual(["b", "a", "c"]);
    expect(lru.values()).toEqual([2, 1, 30]);
    expect(lru.oldest()).toEqual(["b", 2]);
    expect(lru.shift()).toEqual(["b", 2]);
    expect(lru.delete("c")).toBe(true);
    expect(lru.delete("c")).toBe(false);
    expect(lru.get("c")).toBeUndefined();
    expect(lru.keys()).toEqual(["a"]);
    expect(lru.size).toBe(1);
    expect(lru.shift()).toEqual(["a", 1]);
    expect(lru.shift()).toBeUndefined();
    expect(lru.oldest()).toBeUndefined();
    expect(lru.size).toBe(0);
    lru.set("d", 4);
    expect(lru.keys()).toEqual(["d"]);
  });

  it("keeps the same order and values as a Map whose every use deletes and sets the key again", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("get" as const), key: fc.nat(7) }),
      fc.record({ kind: fc.constant("peek" as const), key: fc.nat(7) }),
      fc.record({ kind: fc.constant("set" as const), key: fc.nat(7), value: fc.integer() }),
      fc.record({ kind: fc.constant("delete" as const), key: fc.nat(7) }),
      fc.record({ kind: fc.constant("shift" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const lru = new LruMap<number, number>();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === "get") {
            const value = model.get(o.key);
            if (value !== undefined) {
              model.delete(o.key);
              model.set(o.key, value);
            }
            expect(lru.get(o.key)).toBe(value);
          } else if (o.kind === "peek") expect(lru.peek(o.key)).toBe(model.get(o.key));
          else if (o.kind === "set") {
            model.delete(o.key);
            model.set(o.key, o.value);
            lru.set(o.key, o.value);
          } else if (o.kind === "delete") expect(lru.delete(o.key)).toBe(model.delete(o.key));
          else {
            const first = [...model.entries()][0];
            if (first) model.delete(first[0]);
            expect(lru.shift()).toEqual(first);
          }
          expect(lru.keys()).toEqual([...model.keys()]);
          expect(lru.values()).toEqual([...model.values()]);
          expect(lru.size).toBe(model.size);
        }
      }),
      { numRuns: 500 },
    );
  });
});
