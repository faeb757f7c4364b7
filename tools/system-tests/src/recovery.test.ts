import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startRedisServer } from "@recsys/adapters-redis/testing";
import { buildComponents, closeApp, createApp } from "@recsys/api";
import { BB_NOW } from "@recsys/fakes";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { BB_NOW_ISO, cli, generatedFiles, tempDir } from "./world.js";

/** Every model key's stored bytes. */
async function snapshot(client: Redis, prefix: string): Promise<Map<string, Buffer>> {
  const keys = (await client.keys(`${prefix}:umodel:*`)).sort();
  const out = new Map<string, Buffer>();
  for (const key of keys) out.set(key, (await client.getBuffer(key))!);
  return out;
}

describe("recovery from the durable event log (docs/behaviour.md §7.6)", () => {
  it("ingest through the service on Redis, wipe Redis, replay the log: every user model is identical", async () => {
    const dir = tempDir();
    const logDir = join(dir, "log");
    const { catalog, calls } = generatedFiles(dir, 40, 200, 8);
    const redis = await startRedisServer();
    const client = new Redis(redis.url);
    try {
      const env = {
        REDIS_URL: redis.url,
        RECSYS_REDIS_PREFIX: "recover",
        RECSYS_REDIS_TIMEOUT_MS: "30000",
        RECSYS_CATALOG: catalog,
        RECSYS_EVENT_LOG_DIR: logDir,
      };
      const components = await buildComponents({}, env, { clock: () => BB_NOW });
      const app = createApp(components, { dev: true, logger: () => {}, clock: () => BB_NOW });
      const post = (body: unknown) =>
        app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(body) });
      for (let i = 0; i < calls.length; i += 37) {
        const res = await post(calls.slice(i, i + 37));
        expect(res.status).toBe(200);
      }
      expect((await post(calls.slice(0, 20))).status).toBe(200); // a re-delivery
      for (const user of ["user-1", "user-2", "user-3"]) {
        expect((await app.request(`/recsys/api/recommend?user_id=${user}`)).status).toBe(200);
      }
      await closeApp(app);
      await components.close();

      const before = await snapshot(client, "recover");
      expect(before.size).toBe(40);
      const served = readdirSync(join(logDir, "served"), { recursive: true }).filter((f) =>
        String(f).endsWith(".jsonl"),
      );
      expect(served).toHaveLength(1);
      await client.flushall();
      expect((await snapshot(client, "recover")).size).toBe(0);

      const replay = await cli(
        ["replay", "--events", logDir, "--catalog", catalog, "--now", BB_NOW_ISO],
        env,
      );
      expect(replay.stderr).not.toMatch(/error/i);
      expect(replay.code).toBe(0);
      expect(JSON.parse(replay.stdout)).toMatchObject({ rejected: 0, users: 40 });
      const after = await snapshot(client, "recover");
      expect([...after.keys()]).toEqual([...before.keys()]);
      for (const [key, bytes] of before) expect(after.get(key)!.equals(bytes), key).toBe(true);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  }, 120_000);
});
