// Benchmark: Redis memory of the event buffer per user and per event, the reference JSON format beside the
// compact one, on generated RudderStack traffic (each call with a UUID messageId, as SDKs send), stored
// in the same run on one redis-server. Sizes from RECSYS_BENCH_USERS (default "1000,10000").
// Run: pnpm --filter @recsys/adapters-redis bench
import { randomUUID } from "node:crypto";
import { normalizeEvents } from "@recsys/core";
import { BB_NOW, generateCatalog, generateEvents } from "@recsys/fakes";
import type { Redis } from "ioredis";
import { createRedisClient, waitUntilReady } from "../src/client.js";
import { type EventFormat, encodeCompactEvent } from "../src/compact-event.js";
import { createRedisStores } from "../src/redis-stores.js";
import { startRedisServer } from "../src/testing/redis-server.js";

const sizes = (process.env.RECSYS_BENCH_USERS ?? "1000,10000").split(",").map(Number);
const server = await startRedisServer();
const client = createRedisClient(server.url, { commandTimeoutMs: 120_000 }) as Redis;
await waitUntilReady(client);
const points = generateCatalog({ items: 500, dimension: 8, seed: 21, themes: 40 });

async function usedMemory(): Promise<number> {
  const info = await client.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

const rows: Record<string, string | number>[] = [];
for (const users of sizes) {
  const calls = generateEvents({ catalog: points, users, eventsPerUser: 60, endMs: BB_NOW, seed: 7 });
  for (const call of calls) call.messageId = randomUUID();
  const { events } = normalizeEvents(calls, { now: BB_NOW });
  const measured: Partial<Record<EventFormat, number>> = {};
  for (const format of ["reference", "compact"] as const) {
    await client.flushall();
    const before = await usedMemory();
    const { eventBuffer } = createRedisStores({
      client,
      prefix: format,
      clock: () => BB_NOW,
      eventFormat: format,
    });
    for (let i = 0; i < events.length; i += 5000) await eventBuffer.append(events.slice(i, i + 5000));
    const bytes = (await usedMemory()) - before;
    measured[format] = bytes;
    const memberBytes =
      format === "compact"
        ? events.reduce((sum, e) => sum + Buffer.byteLength(encodeCompactEvent(e)), 0) / events.length
        : events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0) / events.length;
    rows.push({
      users,
      events: events.length,
      format,
      "member bytes": memberBytes.toFixed(0),
      "Redis bytes/event": (bytes / events.length).toFixed(0),
      "Redis KB/user": (bytes / users / 1024).toFixed(1),
      "1M users (GB, extrapolated)": (((bytes / users) * 1e6) / 1e9).toFixed(1),
      "× reference": format === "reference" ? "1.00" : (bytes / measured.reference!).toFixed(2),
    });
  }
}
console.table(rows);
client.disconnect();
await server.stop();
