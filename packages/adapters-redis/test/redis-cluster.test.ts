import { execFileSync } from "node:child_process";
import {
  describeActivityStoreContract,
  describeEventBufferContract,
  describeUserModelStoreContract,
} from "@recsys/fakes/contract";
import { interactionEvent } from "@recsys/ports";
import type { Cluster } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisActivityStore } from "../src/activity.js";
import { createRedisClient, waitUntilReady } from "../src/client.js";
import { FLOAT16_VECTOR_ERROR } from "../src/compact-model.js";
import { createRedisStores } from "../src/redis-stores.js";
import { startRedisCluster } from "../src/testing/redis-cluster.js";

const cluster = await startRedisCluster(3);
const clients: Cluster[] = [];
const connect = async () => {
  const c = createRedisClient(cluster.urls, { cluster: true }) as Cluster;
  clients.push(c);
  await waitUntilReady(c, 10_000);
  return c;
};
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await cluster.stop();
});

const clock = () => Date.UTC(2026, 5, 12);
describeEventBufferContract({
  name: "RedisEventBuffer on Redis Cluster",
  create: async () => createRedisStores({ client: await connect(), clock }).eventBuffer,
});
describeUserModelStoreContract({
  name: "RedisUserModelStore on Redis Cluster",
  create: async () => createRedisStores({ client: await connect() }).modelStore,
  vectorError: FLOAT16_VECTOR_ERROR,
});

describeActivityStoreContract({
  name: "RedisActivityStore on Redis Cluster",
  create: async () => new RedisActivityStore({ client: await connect(), prefix: "activity" }),
});

describe("Redis Cluster", () => {
  it("appends a batch for users spread over several slots and nodes", async () => {
    const { eventBuffer } = createRedisStores({ client: await connect(), clock, prefix: "spread" });
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const batch = users.map((u) =>
      interactionEvent({ user_id: u, event: "E", ts: "2026-06-10T10:00:00.000Z" }),
    );
    expect(await eventBuffer.append(batch)).toEqual({ added: 30 });
    expect(await eventBuffer.append(batch)).toEqual({ added: 0 }); // a replay stores nothing
    for (const u of users) expect(await eventBuffer.fetchEvents(u)).toHaveLength(1);
    const listed: string[] = [];
    for await (const u of eventBuffer.users()) listed.push(u);
    expect(listed.sort()).toEqual([...users].sort());
    const owners = cluster.nodes.map((n) =>
      execFileSync("redis-cli", ["-p", String(n.port), "dbsize"])
        .toString()
        .trim(),
    );
    expect(owners.filter((count) => Number(count) > 0).length).toBeGreaterThan(1);
  });
});
