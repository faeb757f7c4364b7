import { join } from "node:path";
import { createQdrantClient } from "@recsys/adapters-qdrant";
import { startQdrantProtocolServer } from "@recsys/adapters-qdrant/testing";
import { createRedisClient, createRedisStores, waitUntilReady } from "@recsys/adapters-redis";
import { startRedisCluster, startRedisServer } from "@recsys/adapters-redis/testing";
import { BB_NOW } from "@recsys/fakes";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { cli, generatedFiles, tempDir, writeJsonl } from "./helpers.js";

describe("recsys catalog import (Qdrant)", () => {
  it("imports with progress on stderr, idempotently, and refuses a missing URL", async () => {
    const dir = tempDir();
    const { catalog } = generatedFiles(dir, 5, 700, 8);
    const qdrant = await startQdrantProtocolServer();
    try {
      const args = [
        "catalog",
        "import",
        "--catalog",
        catalog,
        "--collection",
        "items",
        "--batch-size",
        "300",
      ];
      const first = await cli(args, { QDRANT_API_URL: qdrant.url });
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual({ collection: "items", points: 700 });
      expect(first.stderr).toBe(
        "imported 300/700 points\nimported 600/700 points\nimported 700/700 points\n",
      );
      const again = await cli(args, { QDRANT_API_URL: qdrant.url });
      expect(again.code).toBe(0);
      const info = await createQdrantClient(qdrant.url).getCollection("items");
      expect(info.points_count).toBe(700);
      expect(Object.keys(info.payload_schema ?? {}).sort()).toEqual([
        "locations",
        "tag_labels",
        "tag_values",
      ]);
    } finally {
      await qdrant.close();
    }
    const missing = await cli(["catalog", "import", "--catalog", join(dir, "gen.jsonl")]);
    expect(missing).toMatchObject({ code: 2, stderr: "recsys: --url or QDRANT_API_URL is required\n" });
  });
});

describe("recsys replay (Redis)", () => {
  it("appends every event and rebuilds every model, idempotently", async () => {
    const dir = tempDir();
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const { catalog, calls } = generatedFiles(dir, 25, 200, 8);
    // Shift the generated traffic to end now, inside the 30-day window of the Redis buffer.
    const shift = now - BB_NOW;
    const recent = calls.map((c) => ({
      ...c,
      timestamp: new Date(Date.parse(c.timestamp as string) + shift).toISOString(),
    }));
    const events = writeJsonl(join(dir, "recent.jsonl"), recent);
    const redis = await startRedisServer();
    const client = createRedisClient(redis.url) as Redis;
    try {
      const args = [
        "replay",
        "--events",
        events,
        "--catalog",
        catalog,
        "--prefix",
        "replay",
        "--now",
        new Date(now).toISOString(),
      ];
      const first = await cli(args, { REDIS_URL: redis.url });
      expect(first.code).toBe(0);
      const summary = JSON.parse(first.stdout) as { events: number; rejected: number; users: number };
      expect(summary).toEqual({ events: recent.length, rejected: 0, outside_window: 0, users: 25 });
      expect(first.stderr).toContain("rebuilt 25 user models");
      await waitUntilReady(client);
      const { eventBuffer, modelStore } = createRedisStores({ client, prefix: "replay" });
      const before = await eventBuffer.fetchEvents("user-3");
      const model = await modelStore.getSignals("user-3");
      expect(model?.user_id).toBe("user-3");
      expect(model?.viewed.length).toBeGreaterThan(0);
      expect((await cli(args, { REDIS_URL: redis.url })).code).toBe(0);
      expect(await eventBuffer.fetchEvents("user-3")).toEqual(before);
      expect(await modelStore.getSignals("user-3")).toEqual(model);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  }, 60_000);
});

describe("recsys replay: the clock and the adapter's own environment", () => {
  it("--now in the past: the buffer windows by it, every user is rebuilt, models equal the CLI's", async () => {
    const dir = tempDir();
    // Traffic ending at BB_NOW (2026-06-10), months before the wall clock: without --now as the stores'
    // clock the buffer trimmed it all away (users 0).
    const { catalog, events } = generatedFiles(dir, 12, 200, 8);
    const redis = await startRedisServer();
    const client = createRedisClient(redis.url) as Redis;
    try {
      const now = new Date(BB_NOW).toISOString();
      // the reference's JSON, so the stored model can equal the CLI's exactly (compact vectors are float16)
      const replay = await cli(["replay", "--events", events, "--catalog", catalog, "--now", now], {
        REDIS_URL: redis.url,
        RECSYS_REDIS_FORMAT: "reference",
      });
      expect(replay.code).toBe(0);
      expect(JSON.parse(replay.stdout)).toMatchObject({ rejected: 0, users: 12 });
      await waitUntilReady(client);
      const { modelStore } = createRedisStores({ client, prefix: "default" });
      const offline = await cli([
        "usermodel",
        "--catalog",
        catalog,
        "--events",
        events,
        "--user",
        "user-3",
        "--now",
        now,
      ]);
      expect(offline.code).toBe(0);
      expect(await modelStore.getSignals("user-3")).toEqual(JSON.parse(offline.stdout));
    } finally {
      client.disconnect();
      await redis.stop();
    }
  }, 60_000);

  it("honours REDIS_CLUSTER: replays into a 3-node cluster", async () => {
    const dir = tempDir();
    const { catalog, events } = generatedFiles(dir, 10, 100, 8);
    const cluster = await startRedisCluster(3);
    try {
      const now = new Date(BB_NOW).toISOString();
      const args = ["replay", "--events", events, "--catalog", catalog, "--now", now];
      const single = await cli(args, { REDIS_URL: cluster.urls });
      // Without cluster mode the comma-separated list is not one URL: no connection.
      expect(single.code).not.toBe(0);
      const replay = await cli(args, { REDIS_URL: cluster.urls, REDIS_CLUSTER: "1" });
      expect(replay.stderr).not.toContain("cannot connect");
      expect(replay.code).toBe(0);
      expect(JSON.parse(replay.stdout)).toMatchObject({ rejected: 0, users: 10 });
    } finally {
      await cluster.stop();
    }
  }, 90_000);
});
