import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCatalogFile, serializeCatalog } from "./catalog.js";
import { createEmbeddedStoresFromFile } from "./embedded.js";
import { generateCatalog } from "./generate.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import {
  isPackedCatalog,
  packedAnnIndexFile,
  readPackedCatalog,
  writePackedCatalog,
} from "./packed-catalog.js";

describe("the packed catalogue (docs/behaviour.md §7.2)", () => {
  it("reads back exactly the points of the JSON catalogue, and stores built from both answer alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-pack-"));
    const points = generateCatalog({ items: 300, dimension: 12, seed: 4 });
    const json = join(dir, "catalog.jsonl");
    writeFileSync(json, serializeCatalog(points));
    const fromJson = await readCatalogFile(json);
    expect(await writePackedCatalog(fromJson, join(dir, "packed"))).toEqual({
      count: 300,
      dimension: 12,
      annIndex: null, // below the default threshold: no saved index
    });
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

  it("saves the approximate index beside the vectors; every store maps the same one and answers alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-pack-ann-"));
    const points = generateCatalog({ items: 2_000, dimension: 32, seed: 9, themes: 40 });
    const packed = join(dir, "packed");
    const { annIndex } = await writePackedCatalog(points, packed, { annIndex: true });
    expect(annIndex).toBe(join(packed, "index.usearch"));
    expect(await packedAnnIndexFile(packed)).toBe(annIndex);
    expect(JSON.parse(readFileSync(join(packed, "catalog.json"), "utf8")).ann).toEqual({
      file: "index.usearch",
      index: "usearch HNSW (i8, M 16, ef 256)",
      rows: 2_000,
    });
    const options = { annThreshold: 1, sampling: "ascending" as const };
    const first = await createEmbeddedStoresFromFile(packed, options);
    const second = await createEmbeddedStoresFromFile(packed, options);
    const exact = InMemoryContentStore.fromPoints(points, { annThreshold: Number.POSITIVE_INFINITY });
    expect(first.contentStore.vectorSearch).toBe("usearch HNSW (i8, M 16, ef 256)");
    let found = 0;
    for (let q = 0; q < 40; q++) {
      const query = [{ kind: "vector" as const, vector: [...points[q * 37]!.vector], limit: 30 }];
      const [a = []] = await first.contentStore.query(query);
      expect((await second.contentStore.query(query))[0]).toEqual(a);
      const truth = new Set(((await exact.query(query))[0] ?? []).map((hit) => hit.id));
      found += a.filter((hit) => truth.has(hit.id)).length;
    }
    expect(found / (40 * 30)).toBeGreaterThanOrEqual(0.99);
    // Repacked without an index, the old one is gone; a store given an index of other rows says so.
    const other = join(dir, "other");
    await writePackedCatalog(points.slice(0, 500), other, { annIndex: true });
    expect((await writePackedCatalog(points, packed, { annIndex: false })).annIndex).toBeNull();
    expect(await packedAnnIndexFile(packed)).toBeNull();
    expect(() =>
      InMemoryContentStore.fromPoints(points, {
        annThreshold: 1,
        annIndexFile: join(other, "index.usearch"),
      }),
    ).toThrow(/index\.usearch: a saved index of 500 × 32, the catalogue has 2000 × 32/);
  });
});
