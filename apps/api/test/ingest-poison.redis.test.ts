// No input poisons a batch, on a real redis-server: every item is accepted or rejected on its own, with the
// exact answer and exactly what was stored (nothing lost, nothing extra).
import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Components } from "../src/components.js";
import { get, type RedisService, type Running, rawRequest, startRedisService } from "./helpers.js";

const HOUR = 3_600_000;
let service: RedisService;
let client: Redis;
let components: Components;
let server: Running;

beforeAll(async () => {
  service = await startRedisService({ RECSYS_REDIS_PREFIX: "poison" }, { dev: true, clock: () => BB_NOW });
  ({ components, server } = service);
  client = new Redis(service.redis.url);
});
afterAll(async () => {
  client.disconnect();
  await service.close();
});

/** POST a body given as raw JSON text (so big numbers and lone surrogates reach the service as sent). */
async function ingest(text: string) {
  const res = await rawRequest(`${server.url}/recsys/api/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: text,
  });
  return { status: res.status, json: JSON.parse(res.text) as Record<string, unknown> };
}

const good = (user: string) => rudderstackViews(user, "101", 120, "next_button", BB_NOW - HOUR);
const track = (fields: Record<string, unknown>) =>
  JSON.stringify({ event: "CONTENT_VIEW_STARTED", properties: { content: "content_102" }, ...fields });
const eventsOf = async (user: string) => (await components.eventBuffer.fetchEvents(user)).length;
const keys = async () => (await client.keys("poison:evt:*")).sort();

describe("timestamps", () => {
  it("one that leaves the years 0001–9999 once its offset is applied is rejected alone; the good user's model is built", async () => {
    const body = `[${track({ userId: "ancient", timestamp: "0001-01-01T00:00:00+00:01" })},${good("good-1")
      .map((c) => JSON.stringify(c))
      .join(",")}]`;
    const res = await ingest(body);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      status: "ok",
      ingested: 2,
      duplicates: 0,
      ignored: 0,
      outside_window: 0,
      users: ["good-1"],
      rejected: [
        {
          index: 0,
          reason:
            'timestamp falls outside the years 0001–9999 once its offset is applied: "0001-01-01T00:00:00+00:01"',
        },
      ],
      rejected_total: 1,
      rewards: 0,
      bandit_updates: 0,
    });
    expect(await eventsOf("ancient")).toBe(0);
    expect(await eventsOf("good-1")).toBe(2);
    expect(Object.keys((await components.modelStore.getSignals("good-1"))!.positives)).toEqual(["101"]);
  });

  it("far in the future: rejected; RFC 3339 lower-case t and z: accepted", async () => {
    const res = await ingest(
      `[${track({ userId: "future", timestamp: "2999-01-01T00:00:00Z" })},${track({ userId: "lower", timestamp: "2026-06-10t10:00:00z" })}]`,
    );
    expect(res.json).toMatchObject({
      ingested: 1,
      users: ["lower"],
      rejected: [{ index: 0, reason: 'timestamp lies in the future: "2999-01-01T00:00:00Z"' }],
    });
    expect(await eventsOf("future")).toBe(0);
    expect((await components.eventBuffer.fetchEvents("lower"))[0]!.ts).toBe("2026-06-10T10:00:00.000Z");
  });

  it("older than the event window: reported, not stored, not counted as ingested", async () => {
    const old = new Date(BB_NOW - 31 * 24 * HOUR).toISOString();
    const res = await ingest(
      `[${track({ userId: "stale", timestamp: old })},${track({ userId: "stale", timestamp: new Date(BB_NOW - HOUR).toISOString() })}]`,
    );
    expect(res.json).toMatchObject({ ingested: 1, outside_window: 1, rejected: [], users: ["stale"] });
    expect(await eventsOf("stale")).toBe(1);
  });
});

describe("user and content ids: one rule for ingest and the read routes", () => {
  it("lone surrogates are rejected instead of merging users into one Redis key", async () => {
    const before = await keys();
    // "x\ud800" and "x\udbff" would both be stored as "x\ufffd" once encoded as UTF-8.
    const res = await ingest(
      `[${track({ userId: "x\ud800", timestamp: "2026-06-10T10:00:00Z" })},${track({ userId: "x\udbff", timestamp: "2026-06-10T10:00:00Z" })},${track({ userId: "x\ufffd", timestamp: "2026-06-10T10:00:00Z" })}]`,
    );
    expect(res.json).toMatchObject({
      ingested: 1,
      users: ["x\ufffd"],
      rejected: [
        { index: 0, reason: "userId is not well-formed Unicode (a lone surrogate)" },
        { index: 1, reason: "userId is not well-formed Unicode (a lone surrogate)" },
      ],
    });
    expect((await keys()).filter((k) => !before.includes(k))).toEqual(["poison:evt:x\ufffd"]);
    expect(await eventsOf("x\ufffd")).toBe(1);
  });

  it("ids over the length cap are rejected; at the cap they are stored and readable", async () => {
    const long = "u".repeat(513);
    const atCap = "v".repeat(512);
    const res = await ingest(
      `[${track({ userId: long, timestamp: "2026-06-10T10:00:00Z" })},${track({ userId: atCap, timestamp: "2026-06-10T10:00:00Z" })}]`,
    );
    expect(res.json).toMatchObject({
      ingested: 1,
      users: [atCap],
      rejected: [{ index: 0, reason: "userId is longer than 512 characters" }],
    });
    const model = await get(`${server.url}/recsys/api/usermodel?user_id=${atCap}`);
    expect(model.json.result).toMatchObject({ user_id: atCap, viewed: ["102"] });
    const tooLong = await get(`${server.url}/recsys/api/usermodel?user_id=${long}`);
    expect(tooLong.status).toBe(422);
    expect(await eventsOf(long)).toBe(0);
  });

  it("surrounding spaces are dropped: ingest and read reach the same user", async () => {
    const res = await ingest(track({ userId: "  spaced  ", timestamp: "2026-06-10T10:00:00Z" }));
    expect(res.json).toMatchObject({ ingested: 1, users: ["spaced"] });
    const read = await get(`${server.url}/recsys/api/usermodel?user_id=%20spaced%20`);
    expect(read.json.result).toMatchObject({ user_id: "spaced", viewed: ["102"] });
    const rec = await get(`${server.url}/recsys/api/recommend?user_id=%20%20spaced`);
    expect(rec.json).toMatchObject({ result: { user_id: "spaced" } });
  });

  it("integers beyond 2^53 are kept exactly as sent (two users one apart stay two users)", async () => {
    const res = await ingest(
      `[{"event":"CONTENT_VIEW_STARTED","userId":12345678901234567891,"timestamp":"2026-06-10T10:00:00Z","properties":{"content":98765432109876543210}},{"event":"CONTENT_VIEW_STARTED","userId":12345678901234567892,"timestamp":"2026-06-10T10:00:00Z","properties":{"content":"content_101"}}]`,
    );
    expect(res.json).toMatchObject({ ingested: 2, users: ["12345678901234567891", "12345678901234567892"] });
    const first = await get(`${server.url}/recsys/api/usermodel?user_id=12345678901234567891`);
    expect(first.json.result).toMatchObject({
      user_id: "12345678901234567891",
      viewed: ["98765432109876543210"],
    });
    const second = await get(`${server.url}/recsys/api/usermodel?user_id=12345678901234567892`);
    expect(second.json.result).toMatchObject({ viewed: ["101"] });
  });
});

describe("answers of bounded size", () => {
  it("a body of 1,000,000 junk items: 422 listing the first 100 rejections and the total", async () => {
    const junk = `[${new Array(1_000_000).fill("1").join(",")}]`;
    const res = await ingest(junk);
    expect(res.status).toBe(422);
    const error = res.json.error as {
      code: string;
      details: { rejected: unknown[]; rejected_total: number };
    };
    expect(error.code).toBe("no_valid_events");
    expect(error.details.rejected).toHaveLength(100);
    expect(error.details.rejected[99]).toEqual({ index: 99, reason: "event must be a JSON object" });
    expect(error.details.rejected_total).toBe(1_000_000);
    expect(JSON.stringify(res.json).length).toBeLessThan(10_000);
  });
});
