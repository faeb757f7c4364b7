import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copyJsonData } from "./in-memory-user-model-store.js";

describe("copyJsonData (the in-memory model store's copy of a saved model)", () => {
  it("equals what it copies and shares no object or array with it, for any JSON value", () => {
    const shared = (a: unknown, b: unknown): boolean => {
      if (typeof a !== "object" || a === null) return false;
      if (a === b) return true;
      return Object.keys(a).some((key) =>
        shared((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
      );
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = copyJsonData(value);
        expect(copy).toStrictEqual(value);
        expect(shared(value, copy)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps an own __proto__ key as data, and turns a typed array into a plain array", () => {
    const parsed = JSON.parse('{"demographics":{"__proto__":{"age":3}},"v":[1,2]}') as Record<
      string,
      unknown
    >;
    const copy = copyJsonData({ ...parsed, taste: new Float32Array([0.5, 0.25]) }) as Record<string, unknown>;
    const demographics = copy.demographics as Record<string, unknown>;
    expect(Object.getPrototypeOf(demographics)).toBe(Object.prototype);
    expect(Object.keys(demographics)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(demographics, "__proto__")?.value).toEqual({ age: 3 });
    expect(copy.taste).toEqual([0.5, 0.25]);
    expect(Array.isArray(copy.taste)).toBe(true);
  });

  it("copies a record of plain values (integer-like keys, an own __proto__) as a new record", () => {
    const record = JSON.parse('{"101":0.5,"__proto__":1,"tag:a":null,"7":"x"}') as Record<string, unknown>;
    const copy = copyJsonData(record) as Record<string, unknown>;
    expect(copy).not.toBe(record);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["7", "101", "__proto__", "tag:a"]);
    expect(Object.getOwnPropertyDescriptor(copy, "__proto__")?.value).toBe(1);
    expect(copy).toStrictEqual(record);
  });
});
