import { resolveConfig, UserModelUpdater } from "@recsys/core";
import { createBBContentStore, viewEvents } from "@recsys/fakes";
import {
  emptyUserSignals,
  interactionEvent,
  StoreUnavailableError,
  type UserModelStore,
} from "@recsys/ports";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { RedisActivityStore } from "../src/activity.js";
import { createRedisClient, waitUntilReady } from "../src/client.js";
import { createRedisStores } from "../src/redis-stores.js";
import { startRedisServer } from "../src/testing/redis-server.js";
import { useRedisServer } from "./redis-fixture.js";

const logs: Record<string, unknown>[] = [];
const NOW = Date.UTC(2026, 5, 10, 12);

const redis = useRedisServer();

// The reference's JSON layout (the compact one is tested in compact-events and compact-models).
const stores = (prefix: string) =>
  createRedisStores({
    client: redis.client,
    prefix,
    clock: () => NOW,
    logger: (e) => logs.push(e),
    format: "reference",
  });

describe("storage layout (docs/behaviour.md §7.4)", () => {
  it("writes {prefix}:evt:{user} as a sorted set of event JSON scored by epoch seconds, trimmed to the window", async () => {
    const { eventBuffer } = stores("layout");
    const old = interactionEvent({ user_id: "u1", event: "OLD", ts: "2026-05-01T00:00:00.000Z" });
    const recent = interactionEvent({
      user_id: "u1",
      event: "CONTENT_VIEW_STARTED",
      ts: "2026-06-10T10:00:00.500Z",
      content_id: "101",
    });
    await eventBuffer.append([old, recent]);
    const members = await redis.client.zrange("layout:evt:u1", 0, -1, "WITHSCORES");
    expect(members).toEqual([JSON.stringify(recent), String(Date.parse(recent.ts) / 1000)]);
    expect(JSON.parse(members[0]!)).toEqual(recent);
    // The key expires a day after the window unless an append renews it.
    expect(await redis.client.ttl("layout:evt:u1")).toBe(31 * 86_400);
  });

  it("writes {prefix}:umodel:{user} as UserSignals JSON with a 90-day TTL", async () => {
    const { modelStore } = stores("layout");
    const model = {
      ...emptyUserSignals("u1"),
      positives: { "101": 0.5 },
      viewed: ["101"],
      recent_views: ["101"],
    };
    await modelStore.saveSignals(model);
    expect(JSON.parse((await redis.client.get("layout:umodel:u1"))!)).toEqual(model);
    const ttl = await redis.client.ttl("layout:umodel:u1");
    expect(ttl).toBeGreaterThan(90 * 86_400 - 5);
    expect(ttl).toBeLessThanOrEqual(90 * 86_400);
  });

  it("lists users by scanning the prefix only", async () => {
    const a = stores("scan-a");
    await a.eventBuffer.append([
      interactionEvent({ user_id: "x:y", event: "E", ts: "2026-06-10T10:00:00.000Z" }),
    ]);
    await stores("scan-b").eventBuffer.append([
      interactionEvent({ user_id: "z", event: "E", ts: "2026-06-10T10:00:00.000Z" }),
    ]);
    const users: string[] = [];
    for await (const u of a.eventBuffer.users()) users.push(u);
    expect(users).toEqual(["x:y"]);
  });
});

describe("compatibility with the reference service (docs/behaviour.md §2, §7.4)", () => {
  it("reads events and a model written by the reference (pydantic JSON, Z timestamps, floats)", async () => {
    const pyEvent =
      '{"user_id":"visitor-7","event":"CONTENT_VIEW_ENDED","ts":"2026-06-10T10:02:00Z","session_id":"s1","request_id":null,"content_id":"101","dwell_seconds":120.0,"end_reason":"next_button","query_text":null,"clicked_id":null,"impressions":["102"],"survey_answers":{},"raw":{"event":"CONTENT_VIEW_ENDED","userId":"visitor-7"}}';
    const pyOffset =
      '{"user_id":"visitor-7","event":"CONTENT_VIEW_STARTED","ts":"2026-06-10T12:00:00+02:00","session_id":"s1","request_id":null,"content_id":"101","dwell_seconds":null,"end_reason":null,"query_text":null,"clicked_id":null,"impressions":[],"survey_answers":{"rating":4.0},"raw":{}}';
    await redis.client.zadd(
      "compat:evt:visitor-7",
      Date.UTC(2026, 5, 10, 10, 2) / 1000,
      pyEvent,
      Date.UTC(2026, 5, 10, 10) / 1000,
      pyOffset,
    );
    const { eventBuffer, modelStore } = stores("compat");
    const events = await eventBuffer.fetchEvents("visitor-7");
    expect(events.map((e) => [e.event, e.ts])).toEqual([
      ["CONTENT_VIEW_STARTED", "2026-06-10T10:00:00.000Z"],
      ["CONTENT_VIEW_ENDED", "2026-06-10T10:02:00.000Z"],
    ]);
    expect(events[1]).toMatchObject({ dwell_seconds: 120, end_reason: "next_button", impressions: ["102"] });
    expect(events[0]!.survey_answers).toEqual({ rating: 4 });

    const pyModel =
      '{"user_id":"visitor-7","positives":{"101":0.777143},"negatives":{"102":0.3},"viewed":["101"],"recent_views":["101"],"tag_affinity":{"theme_what:forced labor":1.0},"tag_aversion":{},"taste_vector":[1.0,0.0,0.0,0.0,0.0,0.0],"recency_vector":[1.0,0.0,0.0,0.0,0.0,0.0],"behavior":{"n_views":1,"n_positive":1,"n_negative":1,"avg_dwell_ratio":1.0,"completion_rate":1.0,"revisit_rate":0.0,"depth":1.0},"demographics":{"age":"55_64","email_shared":"no"}}';
    await redis.client.set("compat:umodel:visitor-7", pyModel);
    const model = await modelStore.getSignals("visitor-7");
    expect(model).toEqual(JSON.parse(pyModel));
  });

  it("writes exactly the reference's field sets", async () => {
    const { eventBuffer, modelStore } = stores("compat-out");
    await eventBuffer.append([
      interactionEvent({ user_id: "u", event: "E", ts: "2026-06-10T10:00:00.000Z" }),
    ]);
    const [member] = await redis.client.zrange("compat-out:evt:u", 0, -1);
    expect(Object.keys(JSON.parse(member!))).toEqual([
      "user_id",
      "event",
      "ts",
      "session_id",
      "request_id",
      "content_id",
      "dwell_seconds",
      "end_reason",
      "query_text",
      "clicked_id",
      "impressions",
      "survey_answers",
      "raw",
    ]);
    await modelStore.saveSignals(emptyUserSignals("u"));
    expect(Object.keys(JSON.parse((await redis.client.get("compat-out:umodel:u"))!)).sort()).toEqual([
      "behavior",
      "demographics",
      "negatives",
      "positives",
      "recency_vector",
      "recent_views",
      "tag_affinity",
      "tag_aversion",
      "taste_vector",
      "user_id",
      "viewed",
    ]);
  });

  it("treats a corrupt stored model as missing and logs it; skips an unreadable buffered event", async () => {
    const { eventBuffer, modelStore } = stores("corrupt");
    await redis.client.set("corrupt:umodel:a", "{not json");
    await redis.client.set("corrupt:umodel:b", JSON.stringify({ user_id: "b", positives: { "1": "lots" } }));
    expect(await modelStore.getSignals("a")).toBeNull();
    expect(await modelStore.getSignals("b")).toBeNull();
    expect(logs.filter((l) => String(l.key).startsWith("corrupt:umodel:"))).toHaveLength(2);
    await redis.client.zadd(
      "corrupt:evt:c",
      1,
      "garbage",
      2,
      JSON.stringify(interactionEvent({ user_id: "c", event: "E", ts: "2026-06-10T10:00:00.000Z" })),
    );
    expect((await eventBuffer.fetchEvents("c")).map((e) => e.event)).toEqual(["E"]);
  });
});

describe("outages", () => {
  it("turns a down server into StoreUnavailableError within the command timeout, and recovers", async () => {
    const own = await startRedisServer({ durable: true });
    const c = createRedisClient(own.url, { commandTimeoutMs: 300 }) as Redis;
    await waitUntilReady(c);
    const { eventBuffer, modelStore } = createRedisStores({ client: c, clock: () => NOW });
    const event = interactionEvent({ user_id: "o", event: "E", ts: "2026-06-10T10:00:00.000Z" });
    await eventBuffer.append([event]);
    await own.kill();
    const started = Date.now();
    const failure = await eventBuffer.fetchEvents("o").catch((e: unknown) => e);
    expect(StoreUnavailableError.isInstance(failure)).toBe(true);
    await expect(modelStore.ping()).rejects.toSatisfy((e: unknown) => StoreUnavailableError.isInstance(e));
    expect(Date.now() - started).toBeLessThan(2000);
    await own.restart();
    expect(await waitUntilReady(c, 5000)).toBe(true);
    expect(await eventBuffer.fetchEvents("o")).toEqual([event]);
    c.disconnect();
    await own.stop();
  });
});

describe("concurrent refreshes of one user, with the interleaving forced", () => {
  // Refresh A reads the buffer [e1] and builds, then is held before saving; meanwhile e2 is appended and
  // refresh B saves the model of [e1, e2]; then A saves its stale model of [e1]. Rebuild-until-stable
  // notices the buffer changed under A and saves the model of [e1, e2] again; a single pass would leave
  // e2 out of the model for good.
  async function interleave(maxRounds: number) {
    const { eventBuffer, modelStore } = stores(`interleave-${maxRounds}`);
    const contentStore = createBBContentStore({ sampling: "ascending" });
    let reachedGate!: () => void;
    const atGate = new Promise<void>((resolve) => {
      reachedGate = resolve;
    });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let saves = 0;
    const gated: UserModelStore = {
      getSignals: (id) => modelStore.getSignals(id),
      ping: () => modelStore.ping(),
      saveSignals: async (signals) => {
        if (saves++ === 0) {
          reachedGate();
          await gate;
        }
        await modelStore.saveSignals(signals);
      },
    };
    const cfg = resolveConfig();
    const slow = new UserModelUpdater({ contentStore, modelStore: gated, cfg });
    const fast = new UserModelUpdater({ contentStore, modelStore, cfg });
    const [e1, e2] = [
      viewEvents("u", "101", 120, "next_button", NOW - 3_600_000),
      viewEvents("u", "102", 120, "next_button", NOW - 1_800_000),
    ];
    await eventBuffer.append(e1);
    const a = slow.refresh("u", eventBuffer, { now: NOW, maxRounds });
    await atGate;
    await eventBuffer.append(e2);
    await fast.refresh("u", eventBuffer, { now: NOW });
    openGate();
    await a;
    const saved = await modelStore.getSignals("u");
    const rebuilt = await fast.build("u", await eventBuffer.fetchEvents("u"), { now: NOW });
    return { saved, rebuilt, saves };
  }

  it("rebuild-until-stable: the last model saved is the rebuild of the whole buffer", async () => {
    const { saved, rebuilt, saves } = await interleave(8);
    expect(Object.keys(saved!.positives).sort()).toEqual(["101", "102"]);
    expect(saved).toEqual(rebuilt);
    expect(saves).toBe(2); // the stale save, then the rebuild
  });

  it("the same interleaving with one round loses the second event (the test forces the race)", async () => {
    const { saved, rebuilt } = await interleave(1);
    expect(Object.keys(saved!.positives)).toEqual(["101"]);
    expect(saved).not.toEqual(rebuilt);
  });
});

describe("the event buffer expires (a visitor who never returns leaves nothing behind)", () => {
  it("each append sets the key's TTL to the window plus the margin; an inactive user's key goes, an active one's stays", async () => {
    // A 1-second window and a 1-second margin: the key lives 2 s after its last append.
    const { eventBuffer } = createRedisStores({
      client: redis.client,
      prefix: "ttl",
      windowDays: 1 / 86_400,
      bufferTtlMarginSeconds: 1,
      clock: () => Date.now(),
    });
    const event = (user: string, i: number) =>
      interactionEvent({
        user_id: user,
        event: "E",
        ts: new Date(Date.now() - 100 + i).toISOString(),
        content_id: String(i),
      });
    await eventBuffer.append([event("inactive", 1), event("active", 1)]);
    expect(await redis.client.ttl("ttl:evt:inactive")).toBe(2);
    await new Promise((r) => setTimeout(r, 1200));
    await eventBuffer.append([event("active", 2)]); // renews the active user's TTL
    expect(await redis.client.ttl("ttl:evt:active")).toBe(2);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await redis.client.exists("ttl:evt:inactive")).toBe(0);
    expect(await redis.client.exists("ttl:evt:active")).toBe(1);
  });

  it("with the defaults the TTL is the 30-day window plus a day", async () => {
    const { eventBuffer } = stores("ttl-default");
    await eventBuffer.append([
      interactionEvent({ user_id: "u", event: "E", ts: new Date(NOW).toISOString() }),
    ]);
    expect(await redis.client.ttl("ttl-default:evt:u")).toBe(31 * 86_400);
  });
});

describe("the activity read models' layout", () => {
  const visitor = (id: string, minute: number) => ({
    user_id: id,
    last_interaction: new Date(Date.UTC(2026, 5, 10, 10, minute)).toISOString(),
    n_events: 2,
    n_views: 1,
    n_liked: 1,
    n_seen: 1,
    cold: false,
  });

  it("keeps the newest visitors up to the cap, ranks items by views, and sets every key's TTL", async () => {
    const store = new RedisActivityStore({
      client: redis.client,
      prefix: "act",
      ttlDays: 2,
      maxVisitors: 2,
    });
    await store.record(visitor("a", 1), [
      { id: "101", visits: 1, dwell: 12.5, positive: true },
      { id: "102", visits: 3, dwell: null, positive: false },
    ]);
    await store.record(visitor("b", 2), [{ id: "101", visits: 1, dwell: 30, positive: false }]);
    await store.record(visitor("c", 3), []);
    expect((await store.visitors(10)).map((v) => v.user_id)).toEqual(["c", "b"]);
    expect(await store.visitorCount()).toBe(2);
    expect(await redis.client.zrevrange("act:activity:items", 0, -1, "WITHSCORES")).toEqual([
      "102",
      "3",
      "101",
      "2",
    ]);
    expect(await redis.client.hget("act:activity:item:101", "a")).toBe("1,12.5,1");
    expect(await store.item("101")).toEqual({
      content_id: "101",
      views: 2,
      visitors: 2,
      avg_dwell: 21.25,
      positive: 1,
      positive_rate: 0.5,
    });
    for (const key of ["act:activity:visitor:a", "act:activity:visitor:c", "act:activity:item:102"])
      expect(await redis.client.ttl(key)).toBe(2 * 86_400);
  });
});

describe("a batch append on a single Redis", () => {
  it("adds many events per user in one call, trims each user to the window and the cap, and counts what it added", async () => {
    const { eventBuffer } = createRedisStores({
      client: redis.client,
      prefix: "big",
      clock: () => NOW,
      format: "reference",
      windowDays: 1,
      maxEventsPerUser: 1000,
    });
    const at = (user: string, second: number) =>
      interactionEvent({ user_id: user, event: "E", ts: new Date(NOW - second * 1000).toISOString() });
    // 1,234 events for one user (more than one ZADD's worth of pairs), 3 for another of which one left the
    // window, and a replay of one of them in the same batch.
    const heavy = Array.from({ length: 1234 }, (_, i) => at("heavy", i + 1));
    const light = [at("light", 10), at("light", 20), at("light", 2 * 86_400)];
    const batch = [...heavy, ...light, light[0]!];
    expect(await eventBuffer.append(batch)).toEqual({ added: 1237 });
    expect(await redis.client.zcard("big:evt:heavy")).toBe(1000); // the newest 1,000
    const oldestKept = await redis.client.zrange("big:evt:heavy", 0, 0, "WITHSCORES");
    expect(Number(oldestKept[1])).toBe((NOW - 1000 * 1000) / 1000);
    expect(await redis.client.zcard("big:evt:light")).toBe(2); // one left the window
    expect(await redis.client.ttl("big:evt:heavy")).toBe(2 * 86_400);
    expect(await redis.client.ttl("big:evt:light")).toBe(2 * 86_400);
    // The same batch again: nothing new (the trimmed ones are added and trimmed again, as before).
    expect(await eventBuffer.append(light.slice(0, 2))).toEqual({ added: 0 });
    expect((await eventBuffer.fetchEvents("light")).map((e) => e.ts)).toEqual([light[1]!.ts, light[0]!.ts]);
  });
});
