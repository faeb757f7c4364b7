import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCatalogFile, serializeCatalog } from "./catalog.js";
import { generateCatalog } from "./generate.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import { isPackedCatalog, readPackedCatalog, writePackedCatalog } from "./packed-catalog.js";

describe("the packed catalogue (docs/behaviour.md §7.2)", () => {
  it("reads back exactly the points of the JSON catalogue, and stores built from both answer alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-pack-"));
    const points = generateCatalog({ items: 300, dimension: 12, seed: 4 });
    const json = join(dir, "catalog.jsonl");
    writeFileSync(json, serializeCatalog(points));
    const fromJson = await readCatalogFile(json);
    expect(await writePackedCatalog(fromJson, join(dir, "packed"))).toEqual({ count: 300, dimension: 12 });
    expect(await isPackedCatalog(join(dir, "packed"))).toBe(true);
    expect(await isPackedCatalog(json)).toBe(false);
    const packed = await readCatalogFile(join(dir, "packed"));
    expect(packed.map((p) => p.id)).toEqual(fromJson.map((p) => p.id));
    expect(packed.map((p) => p.payload)).toEqual(fromJson.map((p) => p.payload));
    expect(packed.map((p) => [...p.vector])).toEqual(fromJson.map((p) => [...p.vector]));
    const a = InMemoryContentStore.fromPoints(fromJson, { sampling: "ascending" });
    const b = InMemoryContentStore.fromPoints(packed, { sampling: "ascending" });
    const query = [{ kind: "vector" as const, vector: fromJson[7]!.vector, limit: 20 }];
    expect(await b.query(query)).toEqual(await a.query(query));
  });

  it("names the file at fault", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-pack-bad-"));
    await writePackedCatalog(generateCatalog({ items: 3, dimension: 4, seed: 1 }), dir);
    writeFileSync(join(dir, "vectors.f32"), new Uint8Array(10));
    await expect(readPackedCatalog(dir)).rejects.toThrow(/vectors\.f32: 10 bytes, expected 3 × 4 float32/);
    writeFileSync(join(dir, "catalog.json"), "{}");
    await expect(readPackedCatalog(dir)).rejects.toThrow(/catalog\.json: expected/);
  });
});
