import { cosine, haversineM, normalized } from "@recsys/core/scoring";
import { type ContentStore, contentFromPayload } from "@recsys/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogPoint } from "../catalog.js";
import { CONTRACT_CENTRE, CONTRACT_POINTS, STRING_IDS } from "./world.js";

/** How to run the content-store contract against an implementation. */
export interface ContentStoreContractOptions {
  /** Name shown in the test report. */
  readonly name: string;
  /** Create a store holding exactly these points (the store may be a new collection on a real server). */
  readonly create: (points: readonly CatalogPoint[]) => Promise<ContentStore>;
  /** Clean up after the suite (drop the collection, close clients). */
  readonly destroy?: (store: ContentStore) => Promise<void>;
}

const ids = (hits: readonly { id: string }[]) => hits.map((h) => h.id);
const point = (id: string) => CONTRACT_POINTS.find((p) => p.id === id)!;

/**
 * The behaviour every {@link ContentStore} must have. Call it inside a vitest test file; it registers a
 * `describe` block.
 * @param options - name, factory and clean-up
 * @example
 * describeContentStoreContract({ name: "InMemoryContentStore", create: async (points) => InMemoryContentStore.fromPoints(points) });
 */
export function describeContentStoreContract(options: ContentStoreContractOptions): void {
  describe(`ContentStore contract: ${options.name}`, () => {
    let store: ContentStore;
    beforeAll(async () => {
      store = await options.create(CONTRACT_POINTS);
    });
    afterAll(async () => {
      if (store && options.destroy) await options.destroy(store);
    });

    it("pings, and reports the vector dimension", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.dimension()).toBe(4);
    });

    it("gets contents by id, read through contentFromPayload, omitting unknown ids", async () => {
      const got = await store.get(["3", "999", "1"]);
      expect([...got.keys()].sort()).toEqual(["1", "3"]);
      expect(got.get("3")).toEqual(contentFromPayload("3", point("3").payload));
      expect(got.get("1")?.lat).toBeCloseTo(52.7581, 6);
    });

    it("gets vectors by id, omitting unknown ids", async () => {
      const got = await store.getVectors(["2", "404"]);
      expect([...got.keys()]).toEqual(["2"]);
      // Stores may keep unit vectors (Qdrant does for cosine collections): compare directions.
      expect(cosine(got.get("2")!, point("2").vector)).toBeCloseTo(1, 5);
    });

    it("answers a batch with one result list per query, in order", async () => {
      const results = await store.query([
        { kind: "ids", ids: ["5"] },
        { kind: "sample", limit: 2 },
        { kind: "ids", ids: [] },
      ]);
      expect(results).toHaveLength(3);
      expect(ids(results[0]!)).toEqual(["5"]);
      expect(results[1]).toHaveLength(2);
      expect(results[2]).toEqual([]);
    });

    it("ids: returns the asked items in the order asked, with content and vector", async () => {
      const [hits] = await store.query([{ kind: "ids", ids: ["7", "missing", "2"] }]);
      expect(ids(hits!)).toEqual(["7", "2"]);
      expect(hits![0]!.content).toEqual(contentFromPayload("7", point("7").payload));
      expect(cosine(hits![1]!.vector!, point("2").vector)).toBeCloseTo(1, 5);
    });

    it("vector: nearest by cosine, best first, with scores, content and vector", async () => {
      const query = [1, 0.05, 0, 0];
      const [hits] = await store.query([{ kind: "vector", vector: query, limit: 4 }]);
      const expected = [...CONTRACT_POINTS]
        .map((p) => ({ id: p.id, score: cosine(query, p.vector) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 4);
      expect(ids(hits!)).toEqual(ids(expected));
      hits!.forEach((hit, i) => {
        expect(hit.score).toBeCloseTo(expected[i]!.score, 5);
      });
      expect(hits![0]!.content?.title).toBe("Item 1");
      expect(hits![0]!.vector).not.toBeNull();
    });

    it("vector: excludes ids inside the query, before the limit", async () => {
      const [hits] = await store.query([
        { kind: "vector", vector: [1, 0, 0, 0], limit: 3, exclude: new Set(["1", "2"]) },
      ]);
      expect(ids(hits!)).not.toContain("1");
      expect(ids(hits!)).not.toContain("2");
      // cos(e0, 3) = 0.7071, cos(e0, 11) = 0.5, the rest ≤ 0.
      expect(ids(hits!).slice(0, 2)).toEqual(["3", "11"]);
      expect(hits).toHaveLength(3);
    });

    it("tags: items with any normalised key, ranked by weighted overlap, ties by id", async () => {
      const [hits] = await store.query([
        {
          kind: "tags",
          weights: { "theme_what:forced labor": 1, "theme_what:family": 0.5, "theme_what:theater": 0.2 },
          limit: 10,
        },
      ]);
      // 1: 1·1 = 1; 2: 1·0.5 = 0.5; 3: 0.5·1 = 0.5; 4: 0.5·0.6 = 0.3; 10: 0.2·1 = 0.2
      expect(ids(hits!)).toEqual(["1", "2", "3", "4", "10"]);
      expect(hits!.map((h) => h.score)).toEqual([
        1,
        0.5,
        0.5,
        expect.closeTo(0.3, 6),
        expect.closeTo(0.2, 6),
      ]);
    });

    it("tags: respects exclusion and the limit", async () => {
      const [hits] = await store.query([
        {
          kind: "tags",
          weights: { "theme_what:forced labor": 1, "theme_what:family": 0.5 },
          limit: 2,
          exclude: new Set(["1"]),
        },
      ]);
      expect(ids(hits!)).toEqual(["2", "3"]);
    });

    it("filter: by normalised label (AR machine tags decoded), in id order", async () => {
      const [byAr, byWords, none] = await store.query([
        { kind: "filter", value: "AiARLocationBarrack3", limit: 10 },
        { kind: "filter", value: "barrack 3", limit: 10 },
        { kind: "filter", value: "Barrack 99", limit: 10 },
      ]);
      expect(ids(byAr!)).toEqual(["1", "3", "6"]);
      expect(ids(byWords!)).toEqual(["1", "3", "6"]);
      expect(none).toEqual([]);
    });

    it("filter: geo radius alone, nearest first, and intersected with a label", async () => {
      const radius = 300;
      const within = CONTRACT_POINTS.flatMap((p) => {
        const loc = p.payload.location as { lat: number; lon: number } | undefined;
        if (!loc) return [];
        const d = haversineM(CONTRACT_CENTRE.lat, CONTRACT_CENTRE.lon, loc.lat, loc.lon);
        return d <= radius ? [{ id: p.id, d }] : [];
      }).sort((a, b) => a.d - b.d);
      const geo = { ...CONTRACT_CENTRE, radiusM: radius };
      const [near, both, excluded] = await store.query([
        { kind: "filter", geo, limit: 10 },
        { kind: "filter", value: "Barrack 3", geo, limit: 10 },
        { kind: "filter", geo, limit: 2, exclude: new Set(["1"]) },
      ]);
      expect(ids(near!)).toEqual(within.map((w) => w.id));
      expect(within.length).toBeGreaterThanOrEqual(4);
      expect(ids(both!)).toEqual(within.map((w) => w.id).filter((id) => ["1", "3", "6"].includes(id)));
      expect(ids(excluded!)).toEqual(
        within
          .map((w) => w.id)
          .filter((id) => id !== "1")
          .slice(0, 2),
      );
    });

    it("sample: distinct catalogue items, never excluded ones, at most limit", async () => {
      const all = new Set(CONTRACT_POINTS.map((p) => p.id));
      const exclude = new Set(["1", "2", "3", "4", "5"]);
      const [some, rest, none] = await store.query([
        { kind: "sample", limit: 4, exclude },
        { kind: "sample", limit: 50, exclude },
        { kind: "sample", limit: 5, exclude: all },
      ]);
      expect(some).toHaveLength(4);
      expect(new Set(ids(some!)).size).toBe(4);
      for (const id of ids(some!)) {
        expect(all.has(id)).toBe(true);
        expect(exclude.has(id)).toBe(false);
      }
      expect(ids(rest!).sort()).toEqual(["10", "11", "12", "6", "7", "8", "9", ...STRING_IDS].sort());
      expect(none).toEqual([]);
    });

    it("any string id: stored, found by every query kind, excluded, and handed back as given", async () => {
      const all: readonly string[] = STRING_IDS;
      const [first, second, third, fourth, fifth] = STRING_IDS;
      const got = await store.get([...all, "content_999"]);
      expect([...got.keys()].sort()).toEqual([...all].sort());
      for (const id of all) expect(got.get(id)).toEqual(contentFromPayload(id, point(id).payload));
      expect([...(await store.getVectors(all)).keys()].sort()).toEqual([...all].sort());
      const [byIds, byTags, byFilter, excluded, byVector] = await store.query([
        { kind: "ids", ids: [fifth, first, "nope"] },
        { kind: "tags", weights: { "theme_what:odd ids": 1 }, limit: 10 },
        { kind: "filter", value: "Barrack 7", limit: 10 },
        { kind: "tags", weights: { "theme_what:odd ids": 1 }, limit: 10, exclude: new Set([first, second]) },
        { kind: "vector", vector: [0.1, 0.2, 0.3, 0.4], limit: 1 },
      ]);
      expect(ids(byIds!)).toEqual([fifth, first]);
      expect(ids(byTags!)).toEqual([...all]);
      expect(ids(byFilter!).sort()).toEqual([first, third].sort());
      expect(ids(excluded!)).toEqual([third, fourth, fifth]);
      expect(ids(byVector!)).toEqual([first]);
    });

    it("hands out vectors at unit length, whatever length the catalogue gave", async () => {
      const wanted = ["4", "6", "8", STRING_IDS[1], STRING_IDS[3]];
      const got = await store.getVectors(wanted);
      const [hits] = await store.query([{ kind: "ids", ids: wanted }]);
      for (const id of wanted) {
        const unit = Array.from(normalized(point(id).vector));
        expect(Array.from(got.get(id)!).map((x) => Number(x.toFixed(6)))).toEqual(
          unit.map((x) => Number(x.toFixed(6))),
        );
        const hit = hits!.find((h) => h.id === id)!;
        expect(Array.from(hit.vector!).map((x) => Number(x.toFixed(6)))).toEqual(
          unit.map((x) => Number(x.toFixed(6))),
        );
      }
    });
  });

  describe(`ContentStore contract: ${options.name}, ranking over every match`, () => {
    // 400 weak matches at low ids and the strongest at the highest id: any store that ranks only the
    // first few hundred matches (in id order) misses it.
    const many: CatalogPoint[] = Array.from({ length: 401 }, (_, i) => {
      const id = i + 1;
      const strong = id === 401;
      const angle = (id / 401) * Math.PI;
      return {
        id: String(id),
        vector: Float32Array.from([Math.cos(angle), Math.sin(angle), 0.1, 0]),
        payload: {
          title: `Item ${id}`,
          tags: [{ facet: "theme_what", label: "Common", weight: strong ? 1 : 0.1 }],
          // Every item within 2 km of the centre; the strongest one nearest.
          location: {
            lat: CONTRACT_CENTRE.lat + (strong ? 0.00001 : 0.0001 + id * 0.00004),
            lon: CONTRACT_CENTRE.lon,
          },
        },
      };
    });
    let store: ContentStore;
    beforeAll(async () => {
      store = await options.create(many);
    });
    afterAll(async () => {
      if (store && options.destroy) await options.destroy(store);
    });

    it("tags and geo: the best match is found at a high id beyond any over-fetch", async () => {
      const [tags, near] = await store.query([
        { kind: "tags", weights: { "theme_what:common": 1 }, limit: 3 },
        { kind: "filter", geo: { ...CONTRACT_CENTRE, radiusM: 5000 }, limit: 3 },
      ]);
      expect(ids(tags!)).toEqual(["401", "1", "2"]);
      expect(tags!.map((h) => h.score)).toEqual([1, expect.closeTo(0.1, 6), expect.closeTo(0.1, 6)]);
      expect(ids(near!)).toEqual(["401", "1", "2"]);
    });
  });
}
