import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createRedisClient, waitUntilReady } from "../src/client.js";
import { RedisFeedbackStore, RedisServedLog } from "../src/feedback.js";
import { useRedisServer } from "./redis-fixture.js";

const redis = useRedisServer();
const extra: Redis[] = [];
afterAll(() => {
  for (const c of extra) c.disconnect();
});
/** A second connection, as another replica has. */
async function replica(): Promise<Redis> {
  const c = createRedisClient(redis.server.url) as Redis;
  extra.push(c);
  await waitUntilReady(c);
  return c;
}

describe("feedback on Redis, shared by replicas", () => {
  it("two replicas taking the same impressions concurrently: each is taken exactly once", async () => {
    const a = new RedisFeedbackStore({ client: redis.client, prefix: "race" });
    const b = new RedisFeedbackStore({ client: await replica(), prefix: "race" });
    const items = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `c${i}`,
        { features: [i, 0, 0, 0, 0, 1], rank: 1, strategy: "warm", ranking: "bandit", variant: null },
      ]),
    );
    await a.putImpressions("req", items);
    const takes = await Promise.all(
      Object.keys(items).flatMap((id) => [a, b, a, b].map((store) => store.consumeImpression("req", id))),
    );
    const taken = takes.filter((x) => x !== null);
    expect(taken).toHaveLength(40);
    expect(taken.map((x) => x!.features[0]!).sort((p, q) => p - q)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
    expect(await redis.client.exists("race:imp:req")).toBe(0); // the emptied hash is gone
  });

  it("impressions expire after impression_ttl_hours", async () => {
    const store = new RedisFeedbackStore({ client: redis.client, prefix: "ttl", impressionTtlHours: 2 });
    await store.putImpressions("r", {
      "1": { features: [1, 0, 0, 0, 0, 0], rank: 1, strategy: "cold", ranking: "static", variant: null },
    });
    expect(await redis.client.ttl("ttl:imp:r")).toBe(7200);
  });

  it("policy sums added by two replicas concurrently all count (no read-modify-write)", async () => {
    const a = new RedisFeedbackStore({ client: redis.client, prefix: "sums" });
    const b = new RedisFeedbackStore({ client: await replica(), prefix: "sums" });
    const delta = { A: new Array<number>(36).fill(0.25), b: [1, -1, 0.5, 0, 0, 2], n_updates: 1 };
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).addToPolicy(delta)));
    const sums = await b.policySums();
    expect(sums.n_updates).toBe(60);
    expect(sums.A.every((v) => Math.abs(v - 15) < 1e-9)).toBe(true);
    expect(sums.b).toEqual([60, -60, 30, 0, 0, 120]);
  });
});

describe("the served log on Redis", () => {
  it("is a stream capped in length, whose key expires with the log's age", async () => {
    const log = new RedisServedLog({ client: redis.client, prefix: "cap", maxEntries: 100, ttlDays: 1 });
    const entry = (n: number) => ({
      request_id: `r${n}`,
      user_id: `u${n % 3}`,
      ts: new Date(Date.UTC(2026, 5, 10)).toISOString(),
      strategy: "warm" as const,
      ranking: "static",
      policy_version: 0,
      settings_version: null,
      variant: null,
      filter: null,
      items: [],
    });
    for (let n = 0; n < 1000; n++) await log.append(entry(n));
    const length = await redis.client.xlen("cap:served");
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300); // MAXLEN ~ trims whole macro nodes
    expect(await redis.client.pttl("cap:served")).toBeGreaterThan(86_400_000 - 5000);
    expect((await log.recent({ limit: 3 })).map((e) => e.request_id)).toEqual(["r999", "r998", "r997"]);
    expect((await log.recent({ limit: 2, userId: "u1" })).map((e) => e.request_id)).toEqual(["r997", "r994"]);
  });

  it("drops entries older than its age", async () => {
    let now = Date.now();
    const log = new RedisServedLog({ client: redis.client, prefix: "age", ttlDays: 1, clock: () => now });
    const entry = {
      request_id: "old",
      user_id: "u",
      ts: "",
      strategy: "cold" as const,
      ranking: "static",
      policy_version: 0,
      settings_version: null,
      variant: null,
      filter: null,
      items: [],
    };
    await log.append(entry);
    expect(await log.recent()).toHaveLength(1);
    now += 2 * 86_400_000; // the entry's stream id is the server's time; the reader's clock moved on
    expect(await log.recent()).toEqual([]);
  });
});
