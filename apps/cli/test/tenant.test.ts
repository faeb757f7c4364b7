import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createRedisClient,
  createRedisStores,
  RedisTenantStore,
  waitUntilReady,
} from "@recsys/adapters-redis";
import { startRedisServer } from "@recsys/adapters-redis/testing";
import { BB_NOW, generateCatalog, generateEvents, serializeCatalog } from "@recsys/fakes";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { cli, tempDir, writeJsonl } from "./helpers.js";

/** A tenant's own catalogue (ids from 5001) and traffic over it. */
function tenantFiles(dir: string) {
  const points = generateCatalog({ items: 40, dimension: 8, seed: 9, themes: 4 }).map((p) => ({
    ...p,
    id: String(Number(p.id) + 5000),
  }));
  const catalog = join(dir, "alpha.jsonl");
  writeFileSync(catalog, serializeCatalog(points));
  const calls = generateEvents({
    catalog: points,
    users: 3,
    eventsPerUser: 10,
    endMs: BB_NOW - 60_000,
    seed: 3,
  });
  return { catalog, events: writeJsonl(join(dir, "alpha-events.jsonl"), calls) };
}

describe("recsys --tenant (docs/behaviour.md §7.7)", () => {
  it("scores with the tenant's catalogue and settings from the bootstrap file; an unknown tenant is refused", async () => {
    const dir = tempDir();
    const { catalog, events } = tenantFiles(dir);
    const registry = join(dir, "tenants.json");
    writeFileSync(
      registry,
      JSON.stringify({ tenants: [{ id: "alpha", catalog, settings: { final_limit: 3 } }] }),
    );
    const env = { RECSYS_TENANTS: registry };
    const now = new Date(BB_NOW).toISOString();
    const out = await cli(
      ["recommend", "--tenant", "alpha", "--events", events, "--now", now, "--workers", "1"],
      env,
    );
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { items: { id: string }[] });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.items).toHaveLength(3);
      for (const item of line.items) expect(Number(item.id)).toBeGreaterThan(5000);
    }
    // --config is applied over the tenant's settings
    const config = join(dir, "more.json");
    writeFileSync(config, JSON.stringify({ final_limit: 4 }));
    const more = await cli(
      [
        "recommend",
        "--tenant",
        "alpha",
        "--events",
        events,
        "--now",
        now,
        "--workers",
        "1",
        "--config",
        config,
      ],
      env,
    );
    expect((JSON.parse(more.stdout.split("\n")[0]!) as { items: unknown[] }).items).toHaveLength(4);
    const unknown = await cli(["recommend", "--tenant", "beta", "--events", events, "--now", now], env);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'recsys: --tenant: no tenant "beta" (registered: default, alpha)\n',
    });
  });

  it("replays into the tenant's Redis prefix, found in the registry on that Redis", async () => {
    const dir = tempDir();
    const { catalog, events } = tenantFiles(dir);
    const redis = await startRedisServer();
    const client = createRedisClient(redis.url) as Redis;
    try {
      await waitUntilReady(client);
      await new RedisTenantStore({ client }).update("alpha", () => ({
        id: "alpha",
        name: "",
        collection: null,
        catalog,
        redis_prefix: "site-a",
        settings: {},
        rate_limit: null,
        keys: [],
      }));
      const now = new Date(BB_NOW).toISOString();
      const out = await cli(["replay", "--tenant", "alpha", "--events", events, "--now", now], {
        REDIS_URL: redis.url,
      });
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ rejected: 0, users: 3 });
      const tenant = createRedisStores({ client, prefix: "site-a" });
      const model = await tenant.modelStore.getSignals("user-1");
      expect(model?.user_id).toBe("user-1");
      for (const id of Object.keys(model!.positives)) expect(Number(id)).toBeGreaterThan(5000);
      expect(
        await createRedisStores({ client, prefix: "default" }).modelStore.getSignals("user-1"),
      ).toBeNull();
    } finally {
      client.disconnect();
      await redis.stop();
    }
  }, 60_000);
});
