import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KEPT_ROWS, UnitRowReader } from "./vector-file.js";

/** A file of `rows × d` float32 values (not unit vectors: the reader normalises them). */
function vectorFile(rows: number, d: number) {
  const values = Float32Array.from({ length: rows * d }, (_, i) => Math.sin(i * 12.9898) * 3 + (i % d));
  const path = join(mkdtempSync(join(tmpdir(), "recsys-rows-")), "vectors.f32");
  writeFileSync(path, new Uint8Array(values.buffer));
  return { path, dimension: d };
}

describe("UnitRowReader (docs/behaviour.md §7.2)", () => {
  it("reads rows as the whole file reads them, keeping those it is asked to keep up to its bound", () => {
    const file = vectorFile(40, 6);
    const owner = {};
    const all = new UnitRowReader(file, 40, owner, 0).readAll();
    const row = (r: number) => [...all.subarray(r * 6, (r + 1) * 6)];
    const reader = new UnitRowReader(file, 40, owner, 3);
    // Read without keeping: right values, nothing kept, a new array each time.
    const plain = reader.rows([5, 9, 5]);
    expect(plain.map((v) => [...v])).toEqual([row(5), row(9), row(5)]);
    expect(plain[2]).not.toBe(plain[0]);
    expect(reader.keptRows).toBe(0);
    // Kept: the same row twice in one call is one array, and a later read (kept or not) hands it out again.
    const first = reader.rows([5, 9, 5, 12], true);
    expect(first.map((v) => [...v])).toEqual([row(5), row(9), row(5), row(12)]);
    expect(first[2]).toBe(first[0]);
    expect(reader.keptRows).toBe(3);
    expect(reader.rows([5])[0]).toBe(first[0]);
    // Row 5 was used last; row 20 kept makes room by dropping the least recently used (9).
    const [twenty] = reader.rows([20], true);
    expect(reader.keptRows).toBe(3);
    expect(reader.rows([5, 12, 20]).every((v, k) => v === [first[0], first[3], twenty][k])).toBe(true);
    const [nine] = reader.rows([9]);
    expect(nine).not.toBe(first[1]);
    expect([...nine!]).toEqual(row(9));
    // Many reads through a small bound: every value still right.
    const order = Array.from({ length: 300 }, (_, i) => (i * 17 + (i >> 3)) % 40);
    expect(reader.rows(order, true).map((v) => [...v])).toEqual(order.map(row));
    expect(reader.keptRows).toBe(3);
  });

  it("makes room by dropping the least recently used row, whichever call used it", () => {
    const file = vectorFile(20, 4);
    const reader = new UnitRowReader(file, 20, {}, 4);
    const [r0, r1, r2, r3] = reader.rows([0, 1, 2, 3], true); // least recently used first: 0 1 2 3
    reader.rows([2, 0]); // 1 3 2 0
    const [r4] = reader.rows([4], true); // room made by dropping row 1: 3 2 0 4
    expect(reader.rows([1])[0]).not.toBe(r1);
    const again = reader.rows([0, 2, 3]); // 4 0 2 3
    expect(again[0]).toBe(r0);
    expect(again[1]).toBe(r2);
    expect(again[2]).toBe(r3);
    reader.rows([5], true); // room made by dropping row 4: 0 2 3 5
    expect(reader.keptRows).toBe(4);
    expect(reader.rows([4])[0]).not.toBe(r4);
    expect(reader.rows([0])[0]).toBe(r0);
  });

  it("keeps nothing with a bound of 0, and up to 2,048 rows by default", () => {
    const file = vectorFile(3, 4);
    const none = new UnitRowReader(file, 3, {}, 0);
    const [a, b] = none.rows([1, 1], true);
    expect(a).not.toBe(b);
    expect([...a!]).toEqual([...b!]);
    expect(none.keptRows).toBe(0);
    expect(KEPT_ROWS).toBe(2048);
    const kept = new UnitRowReader(file, 3, {});
    expect(kept.rows([2], true)[0]).toBe(kept.rows([2])[0]);
  });
});
