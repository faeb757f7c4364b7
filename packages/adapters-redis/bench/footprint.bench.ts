// Benchmark: Redis memory per user, per buffered event and per user model, the reference's JSON beside the
// compact format, on generated RudderStack traffic (60 calls per user, each with a UUID messageId as SDKs
// send; a 3,000 × 384 catalogue), stored in the same run on one redis-server. Also: how far the compact
// model's scores are from the exact model's. Sizes from RECSYS_BENCH_USERS (default "1000,10000"; the
// table in BENCHMARKS.md adds 100000, which takes about ten minutes).
// Run: pnpm --filter @recsys/adapters-redis bench
import { randomUUID } from "node:crypto";
import { normalizeEvents, Recommender, resolveConfig, UserModelUpdater } from "@recsys/core";
import {
  BB_NOW,
  generateCatalog,
  generateEvents,
  InMemoryContentStore,
  InMemoryUserModelStore,
} from "@recsys/fakes";
import type { InteractionEvent, UserSignals } from "@recsys/ports";
import type { Redis } from "ioredis";
import { createRedisClient, waitUntilReady } from "../src/client.js";
import { encodeCompactEvent } from "../src/compact-event.js";
import { encodeCompactModel } from "../src/compact-model.js";
import type { RedisFormat } from "../src/format.js";
import { createRedisStores } from "../src/redis-stores.js";
import { startRedisServer } from "../src/testing/redis-server.js";

const sizes = (process.env.RECSYS_BENCH_USERS ?? "1000,10000").split(",").map(Number);
const CHUNK = 10_000; // users generated at a time, so 100k users never sit in memory at once
const FORMATS: readonly RedisFormat[] = ["reference", "compact"];
const server = await startRedisServer();
const client = createRedisClient(server.url, { commandTimeoutMs: 120_000 }) as Redis;
await waitUntilReady(client);
const points = generateCatalog({ items: 3000, dimension: 384, seed: 21, themes: 40 });
const contentStore = InMemoryContentStore.fromPoints(points, { sampling: "ascending" });
const cfg = resolveConfig({});
const updater = new UserModelUpdater({ contentStore, modelStore: new InMemoryUserModelStore(), cfg });

async function usedMemory(): Promise<number> {
  const info = await client.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** The events of users [from, from + count), generated the same way on every call. */
function chunkEvents(from: number, count: number): InteractionEvent[] {
  const calls = generateEvents({
    catalog: points,
    users: count,
    eventsPerUser: 60,
    endMs: BB_NOW,
    seed: from + 7,
  });
  for (const call of calls) {
    call.userId = `user-${from + Number(String(call.userId).slice(5))}`;
    call.messageId = randomUUID();
  }
  return normalizeEvents(calls, { now: BB_NOW }).events;
}

/** Each user's exact model, built from their events (as an ingest does). */
async function buildModels(events: readonly InteractionEvent[]): Promise<UserSignals[]> {
  const byUser = new Map<string, InteractionEvent[]>();
  for (const event of events) {
    const list = byUser.get(event.user_id) ?? [];
    list.push(event);
    byUser.set(event.user_id, list);
  }
  const models: UserSignals[] = [];
  for (const [user, list] of byUser) models.push(await updater.build(user, list, { now: BB_NOW }));
  return models;
}

/** The largest |Δ final_score| between the exact and the compact model's answers, and the equal lists. */
async function scoreDrift(models: readonly UserSignals[]): Promise<{ drift: number; same: number }> {
  const { modelStore } = createRedisStores({ client, prefix: "drift" });
  const exact = new Recommender({ contentStore, modelStore: new InMemoryUserModelStore(), cfg });
  const compact = new Recommender({ contentStore, modelStore, cfg });
  let drift = 0;
  let same = 0;
  for (const model of models) {
    await modelStore.saveSignals(model);
    const a = await exact.recommendForSignals(model, { seed: 1 });
    const b = await compact.recommend(model.user_id, { seed: 1 });
    const scores = new Map(b.items.map((item) => [item.content_id, item.final_score]));
    for (const item of a.items) {
      const other = scores.get(item.content_id);
      if (other !== undefined) drift = Math.max(drift, Math.abs(item.final_score - other));
    }
    if (a.items.map((i) => i.content_id).join() === b.items.map((i) => i.content_id).join()) same++;
  }
  return { drift, same };
}

// Scores: the first 200 generated users, exact model against the compact one read back from Redis.
const SAMPLE = 200;
const drift = await scoreDrift(await buildModels(chunkEvents(0, SAMPLE)));

const rows: Record<string, string | number>[] = [];
const gb = (bytesPerUser: number) => ((bytesPerUser * 1e6) / 1e9).toFixed(1);
for (const users of sizes) {
  const measured: Partial<Record<RedisFormat, { events: number; models: number }>> = {};
  let eventCount = 0;
  let memberBytes: Record<RedisFormat, number> = { reference: 0, compact: 0 };
  let valueBytes: Record<RedisFormat, number> = { reference: 0, compact: 0 };
  let float32Bytes = 0;
  for (const format of FORMATS) {
    await client.flushall();
    const { eventBuffer, modelStore } = createRedisStores({
      client,
      prefix: "bench",
      clock: () => BB_NOW,
      format,
    });
    let eventsBytes = 0;
    let modelsBytes = 0;
    eventCount = 0;
    memberBytes = { ...memberBytes, [format]: 0 };
    valueBytes = { ...valueBytes, [format]: 0 };
    for (let from = 0; from < users; from += CHUNK) {
      const events = chunkEvents(from, Math.min(CHUNK, users - from));
      eventCount += events.length;
      for (const e of events)
        memberBytes[format] += Buffer.byteLength(
          format === "compact" ? encodeCompactEvent(e) : JSON.stringify(e),
        );
      let before = await usedMemory();
      for (let i = 0; i < events.length; i += 5000) await eventBuffer.append(events.slice(i, i + 5000));
      eventsBytes += (await usedMemory()) - before;
      const models = await buildModels(events);
      for (const m of models) {
        valueBytes[format] +=
          format === "compact" ? encodeCompactModel(m).length : Buffer.byteLength(JSON.stringify(m));
        if (format === "compact") float32Bytes += encodeCompactModel(m, "float32").length;
      }
      before = await usedMemory();
      for (let i = 0; i < models.length; i += 1000)
        await Promise.all(models.slice(i, i + 1000).map((m) => modelStore.saveSignals(m)));
      modelsBytes += (await usedMemory()) - before;
    }
    measured[format] = { events: eventsBytes, models: modelsBytes };
    const ref = measured.reference!;
    const perUser = (eventsBytes + modelsBytes) / users;
    rows.push({
      users,
      events: eventCount,
      format,
      "event member B": (memberBytes[format] / eventCount).toFixed(0),
      "Redis B/event": (eventsBytes / eventCount).toFixed(0),
      "model value B": (valueBytes[format] / users).toFixed(0),
      "Redis B/model": (modelsBytes / users).toFixed(0),
      "Redis KB/user": (perUser / 1024).toFixed(1),
      "1M users GB": gb(perUser),
      "× reference":
        format === "reference" ? "1.00" : (perUser / ((ref.events + ref.models) / users)).toFixed(2),
      "max |Δscore|":
        format === "reference" ? "0 (exact)" : `${drift.drift.toExponential(1)} (${SAMPLE} users)`,
      "same lists": format === "reference" ? "-" : `${drift.same}/${SAMPLE}`,
    });
  }
  console.log(
    `${users} users: a compact model with float32 vectors would take ${(float32Bytes / users).toFixed(0)} B (float16: ${(valueBytes.compact / users).toFixed(0)} B)`,
  );
}
console.table(rows);
client.disconnect();
await server.stop();
