import { deflateRawSync, inflateRawSync } from "node:zlib";
import { normalizeEvents, Recommender, resolveConfig, UserModelUpdater } from "@recsys/core";
import {
  BB_NOW,
  generateCatalog,
  generateEvents,
  InMemoryContentStore,
  InMemoryEventBuffer,
  InMemoryUserModelStore,
} from "@recsys/fakes";
import {
  ConfigError,
  emptyUserSignals,
  interactionEvent,
  type Recommendation,
  type UserSignals,
} from "@recsys/ports";
import { describe, expect, it } from "vitest";
import {
  DEFLATE_FROM_BYTES,
  decodeCompactModel,
  encodeCompactModel,
  FLOAT16_VECTOR_ERROR,
  isCompactModel,
} from "../src/compact-model.js";
import { redisStoresFromEnv } from "../src/env.js";
import { createRedisStores } from "../src/redis-stores.js";
import { useRedisServer } from "./redis-fixture.js";

const redis = useRedisServer();
const cfg = resolveConfig({});

/** A generated world on a 384-d catalogue: its content store and every user's model, built exactly. */
async function generatedWorld(users: number) {
  const points = generateCatalog({ items: 600, dimension: 384, seed: 21, themes: 30 });
  const contentStore = InMemoryContentStore.fromPoints(points, { sampling: "ascending" });
  const calls = generateEvents({ catalog: points, users, eventsPerUser: 60, endMs: BB_NOW, seed: 7 });
  const { events } = normalizeEvents(calls, { now: BB_NOW });
  const buffer = new InMemoryEventBuffer({ clock: () => BB_NOW });
  await buffer.append(events);
  const exact = new InMemoryUserModelStore();
  const updater = new UserModelUpdater({ contentStore, modelStore: exact, cfg });
  const models = [];
  for (let u = 1; u <= users; u++) models.push(await updater.refresh(`user-${u}`, buffer, { now: BB_NOW }));
  return { contentStore, events, models };
}

/** The largest score difference between two answers over the items both serve, and whether the lists are equal. */
function compare(a: Recommendation, b: Recommendation): { scoreDiff: number; sameList: boolean } {
  const scores = new Map(b.items.map((item) => [item.content_id, item.final_score]));
  let scoreDiff = 0;
  for (const item of a.items) {
    const other = scores.get(item.content_id);
    if (other !== undefined) scoreDiff = Math.max(scoreDiff, Math.abs(item.final_score - other));
  }
  const ids = (r: Recommendation) => r.items.map((item) => item.content_id).join();
  return { scoreDiff, sameList: ids(a) === ids(b) };
}

describe("compact user models", () => {
  it("keep scores within 1e-3 of the exact model on a generated 384-d world (float16 vectors), at under 4 KB", async () => {
    const { contentStore, models } = await generatedWorld(60);
    const { modelStore } = createRedisStores({ client: redis.client, prefix: "precision" });
    const exactRecommender = new Recommender({
      contentStore,
      modelStore: new InMemoryUserModelStore(),
      cfg,
    });
    const compactRecommender = new Recommender({ contentStore, modelStore, cfg });
    let worst = 0;
    let same = 0;
    for (const model of models) {
      await modelStore.saveSignals(model);
      const stored = await redis.client.getBuffer(`precision:umodel:${model.user_id}`);
      expect(isCompactModel(stored!)).toBe(true);
      expect(stored!.length).toBeLessThanOrEqual(4096);
      const exact = await exactRecommender.recommendForSignals(model, { seed: 11 });
      const served = await compactRecommender.recommend(model.user_id, { seed: 11 });
      const { scoreDiff, sameList } = compare(exact, served);
      worst = Math.max(worst, scoreDiff);
      if (sameList) same++;
    }
    expect(worst).toBeGreaterThan(0); // float16 is not exact: the check below is not vacuous
    expect(worst).toBeLessThanOrEqual(1e-3);
    expect(same).toBeGreaterThanOrEqual(models.length - 2); // a near tie may swap, nothing more
  });

  it("keep every field but the vectors exactly, and the vectors exactly at float32", async () => {
    const { models } = await generatedWorld(5);
    for (const model of models) {
      const half = decodeCompactModel(model.user_id, encodeCompactModel(model));
      const single = decodeCompactModel(model.user_id, encodeCompactModel(model, "float32"));
      if (!half.success || !single.success) throw new Error("did not decode");
      const { taste_vector, recency_vector, ...rest } = model;
      expect({ ...half.output, taste_vector, recency_vector }).toEqual(model);
      const within = (read: number[], written: number[]) =>
        read.every(
          (x, i) =>
            Math.abs(x - written[i]!) <=
            Math.abs(written[i]!) * FLOAT16_VECTOR_ERROR.relative + FLOAT16_VECTOR_ERROR.absolute,
        );
      expect(within(half.output.taste_vector!, taste_vector!)).toBe(true);
      expect(within(half.output.recency_vector!, recency_vector!)).toBe(true);
      expect(single.output).toMatchObject(rest);
      expect(single.output.taste_vector).toEqual(taste_vector!.map(Math.fround));
      expect(single.output.recency_vector).toEqual(recency_vector!.map(Math.fround));
    }
  });

  it("fall back to float32 vectors when a component is beyond float16's range", () => {
    const model = { ...emptyUserSignals("u"), taste_vector: [70_000.5, 1], recency_vector: [0.1, 0.2] };
    const bytes = encodeCompactModel(model);
    expect(bytes[2]).toBe(32);
    expect(decodeCompactModel("u", bytes)).toEqual({
      success: true,
      output: { ...model, recency_vector: [Math.fround(0.1), Math.fround(0.2)] },
    });
  });

  it("write the documented layout: zero byte, version, precision, dimensions, vectors, fields (short: a stored block)", () => {
    const model = {
      ...emptyUserSignals("u"),
      positives: { "101": 0.5 },
      viewed: ["101"],
      recent_views: ["101"],
      taste_vector: [1, -0.5, 0.25],
    };
    const bytes = encodeCompactModel(model);
    expect([...bytes.subarray(0, 7)]).toEqual([0, 1, 16, 3, 0, 0xff, 0xff]);
    // float16 of 1, -0.5, 0.25, little-endian
    expect([...bytes.subarray(7, 13)]).toEqual([0x00, 0x3c, 0x00, 0xb8, 0x00, 0x34]);
    // A short fields text is one stored deflate block: 0x01, its length and the length's complement
    // (16-bit little-endian each), the text; any inflater reads it as the text.
    const text = JSON.stringify([{ "101": 0.5 }, {}, ["101"], ["101"], {}, {}, {}, {}]);
    expect(text.length).toBe(44);
    expect([...bytes.subarray(13, 18)]).toEqual([0x01, 44, 0, 0xd3, 0xff]);
    expect(bytes.subarray(18).toString("utf8")).toBe(text);
    expect(inflateRawSync(bytes.subarray(13)).toString("utf8")).toBe(text);
    expect(decodeCompactModel("u", bytes)).toEqual({ success: true, output: model });
  });

  it("deflate the fields from DEFLATE_FROM_BYTES bytes of text on, and read models deflated either way", () => {
    // 83 viewed ids make a fields text of 1,020 bytes; the last id is lengthened by `extra` characters.
    const sized = (extra: number) => {
      const viewed = Array.from({ length: 83 }, (_, i) => `item-${1000 + i}`);
      viewed[82] += "x".repeat(extra);
      return { ...emptyUserSignals("u"), viewed, taste_vector: [0.5] };
    };
    const textOf = (model: UserSignals) => JSON.stringify([{}, {}, model.viewed, [], {}, {}, {}, {}]);
    const below = sized(DEFLATE_FROM_BYTES - 1021);
    const at = sized(DEFLATE_FROM_BYTES - 1020);
    expect(Buffer.byteLength(textOf(below))).toBe(DEFLATE_FROM_BYTES - 1);
    expect(Buffer.byteLength(textOf(at))).toBe(DEFLATE_FROM_BYTES);
    // 7 header bytes and one float16 component, then the fields
    const stored = encodeCompactModel(below);
    const deflated = encodeCompactModel(at);
    expect([...stored.subarray(9, 14)]).toEqual([0x01, 0xff, 0x03, 0x00, 0xfc]);
    expect(stored.length).toBe(9 + 5 + DEFLATE_FROM_BYTES - 1);
    expect(deflated.subarray(9)).toEqual(deflateRawSync(textOf(at)));
    expect(deflated.length).toBeLessThan(9 + 400);
    for (const model of [below, at])
      expect(decodeCompactModel("u", encodeCompactModel(model))).toEqual({ success: true, output: model });
    // What earlier writers stored (every fields text deflated) reads the same.
    const earlier = Buffer.concat([stored.subarray(0, 9), deflateRawSync(textOf(below))]);
    expect(decodeCompactModel("u", earlier)).toEqual({ success: true, output: below });
    // A stored block whose length does not match what follows goes to the inflater, which refuses it.
    const lying = Buffer.from(stored);
    lying[10] = 0xfe;
    expect(decodeCompactModel("u", lying)).toEqual({ success: false, message: "damaged fields" });
  });

  it("mixed formats: a model in the reference's JSON is read, recommended from, and rewritten compactly on its next save", async () => {
    const { contentStore, events, models } = await generatedWorld(3);
    const model = models[2]!;
    const reference = createRedisStores({ client: redis.client, prefix: "mixed", format: "reference" });
    const compact = createRedisStores({ client: redis.client, prefix: "mixed", clock: () => BB_NOW });
    const key = `mixed:umodel:${model.user_id}`;
    await reference.modelStore.saveSignals(model);
    const json = await redis.client.get(key);
    expect(JSON.parse(json!)).toEqual(model);

    // read by a compact-writing store, exactly, and served from
    expect(await compact.modelStore.getSignals(model.user_id)).toEqual(model);
    const recommender = new Recommender({ contentStore, modelStore: compact.modelStore, cfg });
    const before = await recommender.recommend(model.user_id, { seed: 3 });
    expect(before.strategy).toBe("warm");
    expect(before.items.map((i) => i.final_score)).toEqual(
      (await recommender.recommendForSignals(model, { seed: 3 })).items.map((i) => i.final_score),
    );

    // the user's events reach the buffer: the ingest rebuilds and saves the model, now compact
    const updater = new UserModelUpdater({ contentStore, modelStore: compact.modelStore, cfg });
    await compact.eventBuffer.append(events.filter((e) => e.user_id === model.user_id));
    await updater.refresh(model.user_id, compact.eventBuffer, { now: BB_NOW });
    const rewritten = await redis.client.getBuffer(key);
    expect(isCompactModel(rewritten!)).toBe(true);
    expect(rewritten!.length).toBeLessThan(Buffer.byteLength(json!) / 4);
    expect(await redis.client.ttl(key)).toBeGreaterThan(90 * 86_400 - 5);
    const after = await recommender.recommend(model.user_id, { seed: 3 });
    expect(after.strategy).toBe("warm");
    expect(compare(before, after).scoreDiff).toBeLessThanOrEqual(1e-3);
    expect(compare(before, after).sameList).toBe(true);
  });

  it("treat a damaged compact value as missing and log it, never a crash", async () => {
    const logs: Record<string, unknown>[] = [];
    const { modelStore } = createRedisStores({
      client: redis.client,
      prefix: "damaged",
      logger: (entry) => logs.push(entry),
    });
    const good = encodeCompactModel({ ...emptyUserSignals("x"), taste_vector: [0.5, 0.5] });
    const cases: Record<string, Buffer> = {
      truncated: good.subarray(0, 9),
      version: Buffer.concat([Buffer.from([0, 9]), good.subarray(2)]),
      precision: Buffer.concat([Buffer.from([0, 1, 8]), good.subarray(3)]),
      fields: Buffer.concat([good.subarray(0, 11), Buffer.from("garbage")]),
      invalid: Buffer.concat([good.subarray(0, 11), deflateRawSync(JSON.stringify([{ "101": "lots" }]))]),
    };
    for (const [user, bytes] of Object.entries(cases)) {
      await redis.client.set(`damaged:umodel:${user}`, bytes);
      expect(await modelStore.getSignals(user)).toBeNull();
    }
    expect(logs.map((entry) => entry.problem)).toEqual([
      "truncated vector",
      "unknown compact model version 9",
      "unknown vector precision 8",
      "damaged fields",
      expect.stringContaining("positives"),
    ]);
  });

  it("are chosen with the events by RECSYS_REDIS_FORMAT (default compact); a bad value is refused naming the variable", async () => {
    const made = async (format: string | undefined) =>
      (await redisStoresFromEnv(
        {
          REDIS_URL: redis.server.url,
          RECSYS_REDIS_PREFIX: `env-${format}`,
          ...(format === undefined ? {} : { RECSYS_REDIS_FORMAT: format }),
        },
        { windowDays: 30, modelTtlDays: 90, clock: () => BB_NOW },
      ))!;
    const event = interactionEvent({ user_id: "u", event: "IDENTIFY", ts: "2026-06-10T10:00:00.000Z" });
    for (const format of [undefined, "compact", "reference"]) {
      const stores = await made(format);
      await stores.eventBuffer.append([event]);
      await stores.modelStore.saveSignals(emptyUserSignals("u"));
      const [member] = await redis.client.zrange(`env-${format}:evt:u`, 0, -1);
      const model = await redis.client.getBuffer(`env-${format}:umodel:u`);
      if (format === "reference") {
        expect(JSON.parse(member!)).toEqual(event);
        expect(JSON.parse(model!.toString())).toEqual(emptyUserSignals("u"));
      } else {
        expect(member).toBe("[3,1781085600000]");
        expect(isCompactModel(model!)).toBe(true);
      }
      await stores.close();
    }
    await expect(made("tiny")).rejects.toThrow(
      new ConfigError("RECSYS_REDIS_FORMAT", 'expected one of compact, reference, got "tiny"'),
    );
  });
});

describe("reading models back", () => {
  it("decodes a model once while its bytes are unchanged, and again when another writer changes them", async () => {
    const { modelStore } = createRedisStores({ client: redis.client, prefix: "decoded-once" });
    const other = createRedisStores({ client: redis.client, prefix: "decoded-once" }).modelStore;
    const saved = { ...emptyUserSignals("u1"), positives: { "101": 0.5 }, viewed: ["101"] };
    await modelStore.saveSignals(saved);
    const first = await modelStore.getSignals("u1");
    expect(await modelStore.getSignals("u1")).toBe(first); // same bytes: the same frozen model
    expect(Object.isFrozen(first)).toBe(true);
    await other.saveSignals({ ...saved, positives: { "102": 0.75 } }); // another replica's save
    const changed = await modelStore.getSignals("u1");
    expect(changed).not.toBe(first);
    expect(changed?.positives).toEqual({ "102": 0.75 });
    await redis.client.del(modelStore.key("u1"));
    expect(await modelStore.getSignals("u1")).toBeNull();
  });
});
