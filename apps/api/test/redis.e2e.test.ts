import { startRedisServer, type TestRedisServer } from "@recsys/adapters-redis/testing";
import { UserModelUpdater } from "@recsys/core";
import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildComponents, type Components } from "../src/components.js";
import { get, post, type Running, startServer } from "./helpers.js";

const HOUR = 3_600_000;

let redis: TestRedisServer;
let components: Components;
let server: Running;

beforeAll(async () => {
  redis = await startRedisServer();
  // A generous timeout: these tests are about correctness under concurrency, and on a loaded CI machine
  // event-loop lag can fire a short command timeout after the reply has arrived. The crash test below
  // runs its own service with a short one.
  // docs/behaviour.md Appendix B's clock, months before the wall clock: the Redis buffer trims by the components' clock.
  components = await buildComponents(
    {},
    { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "e2e", RECSYS_REDIS_TIMEOUT_MS: "30000" },
    { clock: () => BB_NOW },
  );
  // Random content-store latency (0–15 ms) shuffles how concurrent refreshes interleave, as replicas and
  // real networks do; without the rebuild-until-stable loop the concurrency tests below fail.
  const store = components.contentStore;
  const query = store.query.bind(store);
  store.query = async (queries) => {
    await new Promise((r) => setTimeout(r, Math.random() * 15));
    return query(queries);
  };
  server = await startServer(components, { dev: true });
});
afterAll(async () => {
  await server.close();
  await components.close();
  await redis.stop();
});

/** The model rebuilt from the user's full buffer, at the same `now`. */
async function rebuilt(userId: string) {
  const updater = new UserModelUpdater({
    contentStore: components.contentStore,
    modelStore: components.modelStore,
    cfg: components.cfg,
  });
  return updater.build(userId, await components.eventBuffer.fetchEvents(userId), { now: BB_NOW });
}

/** Start a request after a random 0–60 ms, so appends and refreshes of different requests interleave. */
async function staggered<T>(send: () => Promise<T>): Promise<T> {
  await new Promise((r) => setTimeout(r, Math.random() * 60));
  return send();
}

function oneEvent(userId: string, i: number) {
  // A known item every 4th event, otherwise an id of its own: every event shows in `viewed`, so a model
  // that missed one differs from the rebuild.
  const content = {
    content_id: i % 4 === 0 ? `content_${[101, 102, 103, 201][(i / 4) % 4]}` : `content_${5000 + i}`,
  };
  const ts = new Date(BB_NOW - HOUR + i * 1000).toISOString();
  return i % 2 === 0
    ? { type: "track", event: "CONTENT_VIEW_STARTED", userId, timestamp: ts, properties: { content } }
    : {
        type: "track",
        event: "CONTENT_VIEW_ENDED",
        userId,
        timestamp: ts,
        properties: { content, details: { dwell_seconds: 20 + i, reason: "next_button" } },
      };
}

describe("the service on a real Redis", () => {
  it("serves the docs/behaviour.md Appendix B visitor through Redis exactly as on the embedded stores", async () => {
    const calls = [
      ...rudderstackViews("redis-b", "101", 120, "next_button", BB_NOW - HOUR),
      ...rudderstackViews("redis-b", "102", 120, "next_button", BB_NOW - HOUR),
    ];
    expect((await post(`${server.url}/recsys/api/ingest`, calls)).json).toMatchObject({
      ingested: 4,
      users: ["redis-b"],
    });
    const result = (await get(`${server.url}/recsys/api/recommend?user_id=redis-b`)).json
      .result as unknown as { strategy: string; items: { id: string; relevance_score: number }[] };
    expect(result.strategy).toBe("warm");
    expect(result.items[0]!.id).toBe("103");
    expect(Math.abs(result.items[0]!.relevance_score - 0.657174)).toBeLessThan(1e-6);
    expect((await get(`${server.url}/ready`)).json).toEqual({
      status: "ready",
      stores: { content: "ok", events: "ok", models: "ok", tenants: "ok" },
    });
  });

  it("a recommend reads the model with exactly one Redis command (one GET); it only writes the served list", async () => {
    const admin = new Redis(redis.url);
    const calls = async () => {
      const info = await admin.info("commandstats");
      return Object.fromEntries(
        [...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
      );
    };
    await admin.config("RESETSTAT");
    const before = await calls();
    expect((await get(`${server.url}/recsys/api/recommend?user_id=redis-b`)).status).toBe(200);
    const after = await calls();
    admin.disconnect();
    const delta = Object.fromEntries(
      Object.entries(after)
        .map(([name, n]) => [name, n - (before[name] ?? 0)] as const)
        .filter(([name, n]) => n > 0 && name !== "info" && name !== "config"),
    );
    const { get: reads, ...others } = delta;
    expect(reads).toBe(1);
    // the served log (XADD, XTRIM, PEXPIRE) and the impressions (HSET, EXPIRE), each one MULTI/EXEC,
    // sent after the answer was built, never awaited by it
    const writes = ["exec", "expire", "hset", "multi", "pexpire", "xadd", "xtrim"];
    for (const name of Object.keys(others)) expect(writes).toContain(name);
  });

  it("50 concurrent single-event ingests for one user: every event buffered, model = rebuild from the buffer", async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        staggered(() => post(`${server.url}/recsys/api/ingest`, oneEvent("hot", i))),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(await components.eventBuffer.fetchEvents("hot")).toHaveLength(50);
    expect(await components.modelStore.getSignals("hot")).toEqual(await rebuilt("hot"));
  });

  it("20 users × 20 events interleaved, concurrently: every model = rebuild from its buffer", async () => {
    const requests = [];
    for (let i = 0; i < 20; i++) {
      for (let u = 0; u < 20; u++)
        requests.push(staggered(() => post(`${server.url}/recsys/api/ingest`, oneEvent(`crowd-${u}`, i))));
    }
    const responses = await Promise.all(requests);
    expect(responses.filter((r) => r.status !== 200).map((r) => r.json)).toEqual([]);
    for (let u = 0; u < 20; u++) {
      expect(await components.eventBuffer.fetchEvents(`crowd-${u}`)).toHaveLength(20);
      expect(await components.modelStore.getSignals(`crowd-${u}`)).toEqual(await rebuilt(`crowd-${u}`));
    }
  }, 60_000);

  it("a Redis crash mid-load: only 200 or 503, no hang beyond the timeout, every 200 kept, recovery without restart", async () => {
    // Its own durable server (every write fsynced before the reply), so a SIGKILL loses nothing acknowledged.
    const durable = await startRedisServer({ durable: true });
    const crashing = await buildComponents(
      {},
      { REDIS_URL: durable.url, RECSYS_REDIS_PREFIX: "crash", RECSYS_REDIS_TIMEOUT_MS: "500" },
      { clock: () => BB_NOW },
    );
    const service = await startServer(crashing, { dev: true });
    const accepted: string[] = [];
    const statuses = new Set<number>();
    let slowest = 0;
    let sent = 0;
    let stop = false;
    const lane = async (lane: number) => {
      while (!stop) {
        const userId = `fault-${lane}-${sent++}`;
        const started = Date.now();
        const res = await post(`${service.url}/recsys/api/ingest`, [
          oneEvent(userId, 0),
          oneEvent(userId, 1),
        ]);
        slowest = Math.max(slowest, Date.now() - started);
        statuses.add(res.status);
        if (res.status === 200) accepted.push(userId);
        const rec = await get(`${service.url}/recsys/api/recommend?user_id=${userId}`);
        statuses.add(rec.status);
      }
    };
    const lanes = [0, 1, 2, 3].map(lane);
    await new Promise((r) => setTimeout(r, 400));
    await durable.kill();
    await new Promise((r) => setTimeout(r, 800));
    const down = await get(`${service.url}/ready`);
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({
      status: "unavailable",
      stores: { events: "unavailable", models: "unavailable" },
    });
    await durable.restart();
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(lanes);
    expect([...statuses].sort()).toEqual([200, 503]);
    expect(slowest).toBeLessThan(5000); // a few commands, each bounded by the 500 ms timeout, on a loaded machine
    expect(accepted.length).toBeGreaterThan(10);
    for (const userId of accepted) expect(await crashing.eventBuffer.fetchEvents(userId)).toHaveLength(2);
    expect((await get(`${service.url}/ready`)).status).toBe(200);
    expect((await post(`${service.url}/recsys/api/ingest`, oneEvent("after", 0))).status).toBe(200);
    await service.close();
    await crashing.close();
    await durable.stop();
  }, 60_000);
});

describe("bounded work per ingest, on a real Redis with the default 1 s command timeout", () => {
  it("300 concurrent single-event ingests for one user: 0 errors, every event kept, model = rebuild, fewer rebuilds than ingests", async () => {
    const own = await buildComponents(
      {},
      { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "burst" },
      { clock: () => BB_NOW },
    );
    let builds = 0;
    const query = own.contentStore.query.bind(own.contentStore);
    own.contentStore.query = async (queries) => {
      if (queries.length === 1 && queries[0]!.kind === "ids") builds += 1; // one per model build
      return query(queries);
    };
    const burst = await startServer(own, { dev: true });
    try {
      const responses = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          post(`${burst.url}/recsys/api/ingest`, oneEvent("burst-user", i)),
        ),
      );
      expect(responses.filter((r) => r.status !== 200).map((r) => r.json)).toEqual([]);
      expect(await own.eventBuffer.fetchEvents("burst-user")).toHaveLength(300);
      const updater = new UserModelUpdater({
        contentStore: own.contentStore,
        modelStore: own.modelStore,
        cfg: own.cfg,
      });
      const expected = await updater.build("burst-user", await own.eventBuffer.fetchEvents("burst-user"), {
        now: BB_NOW,
      });
      expect(await own.modelStore.getSignals("burst-user")).toEqual(expected);
      // Coalesced: fewer rebuilds than ingests (each refresh rebuilt at least once, and again while the
      // buffer kept changing, before).
      expect(builds).toBeLessThan(300);
    } finally {
      await burst.close();
      await own.close();
    }
  }, 60_000);

  it("the per-user cap keeps the newest events; the model equals the rebuild from what is kept", async () => {
    const own = await buildComponents(
      {},
      { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "capped", RECSYS_MAX_EVENTS_PER_USER: "100" },
      { clock: () => BB_NOW },
    );
    const capped = await startServer(own, { dev: true });
    try {
      const calls = Array.from({ length: 150 }, (_, i) => oneEvent("long-history", i));
      const res = await post(`${capped.url}/recsys/api/ingest`, calls);
      expect(res.json).toMatchObject({ ingested: 150, users: ["long-history"] });
      const kept = await own.eventBuffer.fetchEvents("long-history");
      expect(kept).toHaveLength(100);
      // The newest 100: events 50..149 (one second apart).
      expect(kept[0]!.ts).toBe(new Date(BB_NOW - HOUR + 50_000).toISOString());
      expect(kept[99]!.ts).toBe(new Date(BB_NOW - HOUR + 149_000).toISOString());
      const updater = new UserModelUpdater({
        contentStore: own.contentStore,
        modelStore: own.modelStore,
        cfg: own.cfg,
      });
      expect(await own.modelStore.getSignals("long-history")).toEqual(
        await updater.build("long-history", kept, { now: BB_NOW }),
      );
    } finally {
      await capped.close();
      await own.close();
    }
  });
});
