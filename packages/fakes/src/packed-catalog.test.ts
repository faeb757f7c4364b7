import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentFromPayload, freezeSet } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { readCatalogFile, serializeCatalog } from "./catalog.js";
import { createEmbeddedStoresFromFile } from "./embedded.js";
import { generateCatalog } from "./generate.js";
import { InMemoryContentStore, tagSharer } from "./in-memory-content-store.js";
import {
  isPackedCatalog,
  openPackedContentStore,
  readPackedCatalog,
  readPackedCatalogWithIndex,
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
    // items.jsonl, streamed: a bad line is named by number; so is a count that does not match.
    const lines = readFileSync(join(dir, "items.jsonl"), "utf8").split("\n");
    writeFileSync(join(dir, "items.jsonl"), [lines[0], "{not json", lines[2]].join("\n"));
    await expect(openPackedContentStore(dir)).rejects.toThrow(/items\.jsonl:2: /);
    writeFileSync(join(dir, "items.jsonl"), [lines[0], '{"payload": {}}'].join("\n"));
    await expect(openPackedContentStore(dir)).rejects.toThrow(
      /items\.jsonl:2: "id" must be a non-empty string/,
    );
    writeFileSync(join(dir, "items.jsonl"), `${lines[0]}\r\n\r\n${lines[1]}\r\n`);
    await expect(openPackedContentStore(dir)).rejects.toThrow(/items\.jsonl: 2 items, catalog\.json says 3/);
    writeFileSync(join(dir, "catalog.json"), "{}");
    await expect(readPackedCatalog(dir)).rejects.toThrow(/catalog\.json: expected/);
  });

  it("saves the approximate index beside the vectors; every store maps the same one and answers alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-pack-ann-"));
    const points = generateCatalog({ items: 2_000, dimension: 32, seed: 9, themes: 40 });
    const packed = join(dir, "packed");
    const { annIndex } = await writePackedCatalog(points, packed, { annIndex: true });
    expect(annIndex).toBe(join(packed, "index.usearch"));
    expect((await readPackedCatalogWithIndex(packed)).annIndexFile).toBe(annIndex);
    expect(JSON.parse(readFileSync(join(packed, "catalog.json"), "utf8")).ann).toEqual({
      file: "index.usearch",
      index: "usearch HNSW (i8, M 16, ef 64)",
      rows: 2_000,
    });
    const options = { annThreshold: 1, sampling: "ascending" as const };
    const first = await createEmbeddedStoresFromFile(packed, options);
    const second = await createEmbeddedStoresFromFile(packed, options);
    const exact = InMemoryContentStore.fromPoints(points, { annThreshold: Number.POSITIVE_INFINITY });
    expect(first.contentStore.vectorSearch).toBe("usearch HNSW (i8, M 16, ef 64)");
    let found = 0;
    for (let q = 0; q < 40; q++) {
      const query = [{ kind: "vector" as const, vector: [...points[q * 37]!.vector], limit: 30 }];
      const [a = []] = await first.contentStore.query(query);
      expect((await second.contentStore.query(query))[0]).toEqual(a);
      const truth = new Set(((await exact.query(query))[0] ?? []).map((hit) => hit.id));
      found += a.filter((hit) => truth.has(hit.id)).length;
    }
    expect(found / (40 * 30)).toBeGreaterThanOrEqual(0.99);
    // A low-precision query (the distractor's negated taste) asks the index for just its limit: its
    // best hits are still among the truly farthest items; an exact store answers both precisions alike;
    // a frozen query keeps one answer per precision.
    let within = 0;
    for (let q = 0; q < 40; q++) {
      const negated = [...points[q * 37]!.vector].map((x) => -x);
      const low = { kind: "vector" as const, vector: negated, limit: 20, precision: "low" as const };
      const [lowHits = []] = await first.contentStore.query([low]);
      expect(lowHits).toHaveLength(20);
      const farthest = ((await exact.query([{ ...low, limit: 40 }]))[0] ?? []).map((hit) => hit.id);
      if (farthest.includes(lowHits[0]!.id)) within += 1;
      expect(await exact.query([low])).toEqual(await exact.query([{ ...low, precision: "high" as const }]));
    }
    expect(within).toBe(40);
    const frozenNegated = Object.freeze([...points[5]!.vector].map((x) => -x));
    const held = InMemoryContentStore.fromPoints(points, { annThreshold: 1, annIndexFile: annIndex! });
    const asked = (precision: "low" | "high") =>
      held.query([{ kind: "vector", vector: frozenNegated, limit: 10, precision }]);
    const [lowOnce = []] = await asked("low");
    const [highOnce = []] = await asked("high");
    expect(highOnce).not.toBe(lowOnce); // an answer of its own, not the low-precision one
    expect((await asked("low"))[0]).toBe(lowOnce);
    expect((await asked("high"))[0]).toBe(highOnce);
    // Repacked without an index, the old one is gone; a store given an index of other rows says so.
    const other = join(dir, "other");
    await writePackedCatalog(points.slice(0, 500), other, { annIndex: true });
    expect((await writePackedCatalog(points, packed, { annIndex: false })).annIndex).toBeNull();
    expect((await readPackedCatalogWithIndex(packed)).annIndexFile).toBeNull();
    expect(() =>
      InMemoryContentStore.fromPoints(points, {
        annThreshold: 1,
        annIndexFile: join(other, "index.usearch"),
      }),
    ).toThrow(/index\.usearch: a saved index of 500 × 32, the catalogue has 2000 × 32/);
  });

  it("leaves the vectors in vectors.f32 under the approximate search, answering as the store that holds them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-pack-file-"));
    const points = generateCatalog({ items: 1_500, dimension: 16, seed: 12, themes: 30 });
    const packed = join(dir, "packed");
    await writePackedCatalog(points, packed, { annIndex: true });
    const { points: read, annIndexFile } = await readPackedCatalogWithIndex(packed);
    for (const annThreshold of [1, Number.POSITIVE_INFINITY]) {
      const options = { annThreshold, sampling: "ascending" as const, keptAnswers: 0 };
      // The store that holds every vector (the saved index mapped when approximate) and the one reading
      // them from the file: the same hits, scores and vector values for every kind of query.
      const held = InMemoryContentStore.fromPoints(read, {
        ...options,
        ...(annIndexFile ? { annIndexFile } : {}),
      });
      const file = await openPackedContentStore(packed, options);
      expect(file.vectorSearch).toBe(annThreshold === 1 ? "usearch HNSW (i8, M 16, ef 64)" : "exact");
      const seen = new Set(points.slice(0, 40).map((p) => p.id));
      const label = points[3]!.payload.tags as { label: string }[];
      const queries = [
        ...[0, 101, 777].map((q) => ({
          kind: "vector" as const,
          vector: points[q]!.vector,
          limit: 25,
          exclude: seen,
        })),
        { kind: "vector" as const, vector: points[5]!.vector.map((x) => -x), limit: 12 },
        {
          kind: "tags" as const,
          weights: { [`theme_what:${label[0]!.label}`]: 1 },
          limit: 20,
          exclude: seen,
        },
        { kind: "filter" as const, value: label[0]!.label, limit: 10 },
        { kind: "sample" as const, limit: 15, exclude: seen },
        { kind: "ids" as const, ids: ["3", "nope", "1499"] },
      ];
      const plain = (hits: Awaited<ReturnType<typeof held.query>>) =>
        hits.map((list) => list.map((hit) => ({ ...hit, vector: hit.vector ? [...hit.vector] : null })));
      const expected = plain(await held.query(queries));
      expect(expected.every((list) => list.length > 0)).toBe(true);
      expect(plain(await file.query(queries))).toEqual(expected);
      const vectors = await file.getVectors(["7", "nope", "8"]);
      expect([...vectors.keys()]).toEqual(["7", "8"]);
      expect([...vectors.get("8")!]).toEqual([...(await held.getVectors(["8"])).get("8")!]);
    }
    // A kept answer (a frozen query vector and exclusion set) is kept without its vectors and read again
    // when used: the same hits, vectors included, the first time and the next.
    const keeping = await openPackedContentStore(packed, { annThreshold: 1 });
    const frozenQuery = [
      {
        kind: "vector" as const,
        vector: Object.freeze([...points[9]!.vector]),
        limit: 10,
        exclude: freezeSet(new Set(["1"])),
      },
    ];
    const [first = []] = await keeping.query(frozenQuery);
    const [again = []] = await keeping.query(frozenQuery);
    expect(again.map((hit) => [hit.id, hit.score, [...hit.vector!]])).toEqual(
      first.map((hit) => [hit.id, hit.score, [...hit.vector!]]),
    );
    expect(again[0]!.vector).toHaveLength(16);
    // An answer given again keeps its rows: the third time they are the same arrays as the second, so what
    // the serve path derives from a vector once (its norm, its unit copy) is not derived again.
    const [third = []] = await keeping.query(frozenQuery);
    expect(third.every((hit, k) => hit.vector === again[k]!.vector)).toBe(true);
    expect(again.some((hit, k) => hit.vector === first[k]!.vector)).toBe(false);
    // Items asked for by id keep their rows from the first time (a user's liked items, every request).
    const byIds = [{ kind: "ids" as const, ids: ["4", "44"] }];
    const [ids1 = [], ids2 = []] = [...(await keeping.query(byIds)), ...(await keeping.query(byIds))];
    expect(ids2.map((hit) => hit.vector)).toEqual(ids1.map((hit) => hit.vector));
    expect(ids2.every((hit, k) => hit.vector === ids1[k]!.vector)).toBe(true);
    expect((await keeping.getVectors(["44"])).get("44")).toBe(ids1[1]!.vector);
    // A vectors file of another size is refused, naming it; so are vectors given twice.
    writeFileSync(join(packed, "vectors.f32"), new Uint8Array(12));
    await expect(openPackedContentStore(packed)).rejects.toThrow(
      /vectors\.f32: 12 bytes, expected 1500 × 16 float32/,
    );
    expect(
      () =>
        new InMemoryContentStore([], new Map([["1", [1, 0]]]), {
          vectorFile: { path: join(packed, "vectors.f32"), dimension: 2 },
        }),
    ).toThrow(/both in a map and in a vector file/);
  });

  it("gives contents read from a catalogue one frozen object per equal tag", () => {
    const share = tagSharer();
    const a = share({
      ...contentOf("a"),
      tags: [
        { facet: "f", label: "x", weight: 1 },
        { facet: "f", label: "y", weight: 0 },
      ],
    });
    const b = share({
      ...contentOf("b"),
      tags: [
        { facet: "f", label: "x", weight: 1 },
        { facet: "f", label: "y", weight: -0 },
      ],
    });
    expect(b.tags[0]).toBe(a.tags[0]);
    expect(Object.isFrozen(a.tags[0])).toBe(true);
    expect(b.tags[1]).not.toBe(a.tags[1]); // 0 and -0 are different weights
    expect(Object.is(b.tags[1]!.weight, -0)).toBe(true);
    expect(a.tags).toEqual([
      { facet: "f", label: "x", weight: 1 },
      { facet: "f", label: "y", weight: 0 },
    ]);
  });
});

function contentOf(id: string) {
  return contentFromPayload(id, { title: id });
}
