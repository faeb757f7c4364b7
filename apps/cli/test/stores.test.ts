import { join } from "node:path";
import { createQdrantClient } from "@recsys/adapters-qdrant";
import { startQdrantProtocolServer } from "@recsys/adapters-qdrant/testing";
import { createRedisClient, createRedisStores, waitUntilReady } from "@recsys/adapters-redis";
import { startRedisServer } from "@recsys/adapters-redis/testing";
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
      expect(summary).toEqual({ events: recent.length, rejected: 0, users: 25 });
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
