import { createSeededRandom, Recommender, resolveConfig, UserModelUpdater } from "@recsys/core";
import { BB_NOW, BB_POINTS, InMemoryUserModelStore, viewEvents } from "@recsys/fakes";
import { ConfigError, emptyUserSignals, StoreUnavailableError } from "@recsys/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQdrantClient } from "../src/client.js";
import { ensureCollection, importCatalog, qdrantPayload } from "../src/collection.js";
import { itemIdOf, nameBasedUuid, toPointId } from "../src/ids.js";
import { QdrantContentStore } from "../src/qdrant-content-store.js";
import {
  type QdrantProtocolServer,
  startQdrantProtocolServer,
} from "../src/testing/qdrant-protocol-server.js";

let server: QdrantProtocolServer;
beforeAll(async () => {
  server = await startQdrantProtocolServer({ random: createSeededRandom(3) });
});
afterAll(() => server.close());

const HOUR = 3_600_000;

describe("ids", () => {
  it("integer ids and lower-case UUIDs are their own point ids; any other id maps to a fixed UUID", () => {
    expect(toPointId("101")).toBe(101);
    expect(toPointId("0")).toBe(0);
    expect(toPointId("6f9619ff-8b86-d011-b42d-00c04fc964ff")).toBe("6f9619ff-8b86-d011-b42d-00c04fc964ff");
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const mapped = [
      "abc",
      "007",
      "1234567890123456",
      "content_101",
      "6F9619FF-8B86-D011-B42D-00C04FC964FF",
    ].map(toPointId);
    for (const id of mapped) expect(id).toMatch(uuid);
    expect(new Set(mapped).size).toBe(5);
    expect(toPointId("abc")).toBe(toPointId("abc"));
    // Fixed for ever: stored collections depend on it.
    expect(toPointId("abc")).toBe(nameBasedUuid("abc"));
    expect(nameBasedUuid("content_101")).toBe("ee0ce57b-3044-5d8c-89ee-7373fbef2409");
    expect(itemIdOf(101, {})).toBe("101");
    expect(itemIdOf(toPointId("abc"), { recsys_id: "abc" })).toBe("abc");
  });
});

describe("import and collection checks", () => {
  it("creates the collection with cosine distance and the payload indexes, stores normalised tag fields", async () => {
    const client = createQdrantClient(server.url);
    await importCatalog(client, "bb", BB_POINTS);
    const info = await client.getCollection("bb");
    expect(info.config.params.vectors).toEqual({ size: 6, distance: "Cosine" });
    expect(Object.keys(info.payload_schema ?? {}).sort()).toEqual(["locations", "tag_labels", "tag_values"]);
    expect(info.points_count).toBe(8);
    const [record] = await client.retrieve("bb", { ids: [101], with_payload: true });
    expect(record!.payload).toMatchObject({
      tag_labels: [
        "theme_what:forced labor",
        "theme_what:workshops",
        "theme_how.type_of_stores:personal stories",
      ],
      tag_values: ["forced labor", "workshops", "personal stories"],
      locations: [{ lat: 52.7581, lon: 9.9062 }],
    });
    expect(
      qdrantPayload({
        id: "1",
        vector: [1],
        payload: { tags: [{ facet: "f", label: "AiARLocationBarrack3" }] },
      }).tag_values,
    ).toEqual(["barrack 3"]);
  });

  it("refuses an existing collection of another dimension or distance, naming it", async () => {
    const client = createQdrantClient(server.url);
    await client.createCollection("wrong", { vectors: { size: 5, distance: "Dot" } });
    const error = await ensureCollection(client, "wrong", 6).catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "QDRANT_COLLECTION: collection wrong has vectors of size 5 with Dot distance; the catalogue needs size 6 with Cosine",
    );
  });

  it("imports a 10,000-point catalogue in batches with progress, idempotently", async () => {
    const client = createQdrantClient(server.url, { timeoutMs: 10_000 });
    const points = Array.from({ length: 10_000 }, (_, i) => ({
      id: String(i + 1),
      vector: [Math.cos(i), Math.sin(i), (i % 7) / 7, 1],
      payload: {
        title: `Item ${i + 1}`,
        tags: [{ facet: "theme_what", label: `Theme ${i % 50}`, weight: 1 }],
      },
    }));
    const progress: number[] = [];
    expect(
      await importCatalog(client, "big", points, {
        batchSize: 1000,
        onProgress: (done) => progress.push(done),
      }),
    ).toBe(10_000);
    expect(progress).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    const before = await client.retrieve("big", {
      ids: [1, 5000, 10_000],
      with_payload: true,
      with_vector: true,
    });
    await importCatalog(client, "big", points, { batchSize: 2500 });
    const info = await client.getCollection("big");
    expect(info.points_count).toBe(10_000);
    expect(
      await client.retrieve("big", { ids: [1, 5000, 10_000], with_payload: true, with_vector: true }),
    ).toEqual(before);
  });
});

describe("the serve path on Qdrant", () => {
  async function setup() {
    const client = createQdrantClient(server.url);
    await importCatalog(client, "serve", BB_POINTS);
    const contentStore = new QdrantContentStore({ client, collection: "serve" });
    const modelStore = new InMemoryUserModelStore();
    const cfg = resolveConfig();
    return {
      contentStore,
      recommender: new Recommender({ contentStore, modelStore, cfg, random: createSeededRandom(1) }),
      updater: new UserModelUpdater({ contentStore, modelStore, cfg }),
    };
  }

  it("reproduces docs/behaviour.md Appendix B with at most two Qdrant requests for a warm recommend", async () => {
    const { contentStore, recommender, updater } = await setup();
    const signals = await updater.build(
      "u",
      [
        ...viewEvents("u", "101", 120, "next_button", BB_NOW - HOUR),
        ...viewEvents("u", "102", 120, "next_button", BB_NOW - HOUR),
      ],
      { now: BB_NOW },
    );
    const before = server.requests.length;
    const rec = await recommender.recommendForSignals(signals);
    const sent = server.requests.slice(before);
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(sent.every((r) => r.path === "/collections/serve/points/query/batch")).toBe(true);
    expect(rec.items.map((i) => i.content_id)).toEqual(["103", "201", "301", "202", "203", "302"]);
    expect(Math.abs(rec.items[0]!.final_score - 0.657174)).toBeLessThan(1e-6);
    expect(Math.abs(rec.items[1]!.final_score - 0.223913)).toBeLessThan(1e-6);
    // Seen items are excluded inside the queries.
    const first = sent[0]!.body as { searches: { filter?: { must_not?: { has_id: number[] }[] } }[] };
    expect(first.searches[0]!.filter?.must_not?.[0]?.has_id.sort()).toEqual([101, 102]);
    expect(contentStore.requests).toBe(sent.length + 1);
  });

  it("asks Qdrant for a narrower beam for a low-precision vector query only", async () => {
    const { contentStore } = await setup();
    const before = server.requests.length;
    const vector = [...BB_POINTS[0]!.vector].map((x) => -x);
    const [low, high] = await contentStore.query([
      { kind: "vector", vector, limit: 3, precision: "low" },
      { kind: "vector", vector, limit: 3 },
    ]);
    const [sent] = server.requests.slice(before) as { body: { searches: { params?: unknown }[] } }[];
    expect(sent!.body.searches.map((search) => search.params)).toEqual([{ hnsw_ef: 64 }, undefined]);
    expect(low!.map((hit) => hit.id)).toEqual(high!.map((hit) => hit.id));
  });

  it("serves a cold user with exactly one Qdrant request, a random sample", async () => {
    const { recommender } = await setup();
    const before = server.requests.length;
    const rec = await recommender.recommendForSignals(emptyUserSignals("cold"));
    expect(server.requests.length - before).toBe(1);
    expect(rec.strategy).toBe("cold");
    expect(new Set(rec.items.map((i) => i.content_id)).size).toBe(8);
  });

  it("filters by tag value and geo radius inside Qdrant", async () => {
    const { recommender } = await setup();
    const rec = await recommender.recommendForSignals(emptyUserSignals("x"), {
      filter: "Liberation",
      near_lat: 52.7597,
      near_lon: 9.9041,
      geo_radius_m: 60,
    });
    expect(rec.items.map((i) => i.content_id).sort()).toEqual(["301", "302"]);
  });
});

describe("errors", () => {
  it("a 5xx, a timeout and a refused connection all become StoreUnavailableError", async () => {
    const store = new QdrantContentStore({
      client: createQdrantClient(server.url, { timeoutMs: 300 }),
      collection: "bb",
    });
    server.failNext(500);
    const serverError = await store.query([{ kind: "sample", limit: 1 }]).catch((e: unknown) => e);
    expect(StoreUnavailableError.isInstance(serverError)).toBe(true);
    expect((serverError as Error).message).toContain("qdrant: query failed");
    server.setDelay(1000);
    const started = Date.now();
    const timeout = await store.get(["101"]).catch((e: unknown) => e);
    server.setDelay(0);
    expect(StoreUnavailableError.isInstance(timeout)).toBe(true);
    expect(Date.now() - started).toBeLessThan(900);
    const refused = new QdrantContentStore({
      client: createQdrantClient("http://127.0.0.1:9", { timeoutMs: 300 }),
      collection: "bb",
    });
    await expect(refused.ping()).rejects.toSatisfy((e: unknown) => StoreUnavailableError.isInstance(e));
    expect((await store.get(["101"])).get("101")?.title).toBe("Forced labour in the textile workshop");
  });

  it("a missing collection is unavailable, not a crash", async () => {
    const store = new QdrantContentStore({ client: createQdrantClient(server.url), collection: "nope" });
    await expect(store.query([{ kind: "sample", limit: 1 }])).rejects.toSatisfy((e: unknown) =>
      StoreUnavailableError.isInstance(e),
    );
  });
});
