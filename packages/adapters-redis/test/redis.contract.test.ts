import {
  describeActivityStoreContract,
  describeEventBufferContract,
  describeFeedbackStoreContract,
  describeServedLogContract,
  describeSettingsStoreContract,
  describeTenantStoreContract,
  describeUserModelStoreContract,
} from "@recsys/fakes/contract";
import type { Redis } from "ioredis";
import { afterAll } from "vitest";
import { RedisActivityStore } from "../src/activity.js";
import { createRedisClient, waitUntilReady } from "../src/client.js";
import { FLOAT16_VECTOR_ERROR } from "../src/compact-model.js";
import { RedisFeedbackStore, RedisServedLog } from "../src/feedback.js";
import { createRedisStores } from "../src/redis-stores.js";
import { RedisSettingsStore } from "../src/settings.js";
import { RedisTenantStore } from "../src/tenants.js";
import { startRedisServer } from "../src/testing/redis-server.js";

// The redis-server of the CI run (REDIS_URL) when there is one, else one started here on a free port.
const external = process.env.REDIS_URL?.trim();
const own = external ? null : await startRedisServer();
const url = external || own!.url;
const clients: Redis[] = [];
const client = async () => {
  const c = createRedisClient(url) as Redis;
  clients.push(c);
  await waitUntilReady(c);
  return c;
};
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await own?.stop();
});

// Events of 2026 must not be trimmed by the 30-day window: the clock is fixed in June 2026.
const clock = () => Date.UTC(2026, 5, 12);
// Both formats: compact (the default) and the reference's JSON.
describeEventBufferContract({
  name: "RedisEventBuffer (compact)",
  create: async () => createRedisStores({ client: await client(), clock }).eventBuffer,
});
describeEventBufferContract({
  name: "RedisEventBuffer (reference JSON)",
  create: async () => createRedisStores({ client: await client(), clock, format: "reference" }).eventBuffer,
});
describeUserModelStoreContract({
  name: "RedisUserModelStore (compact)",
  create: async () => createRedisStores({ client: await client() }).modelStore,
  // float16 vectors (docs/behaviour.md §7.4)
  vectorError: FLOAT16_VECTOR_ERROR,
});
describeUserModelStoreContract({
  name: "RedisUserModelStore (reference JSON)",
  create: async () => createRedisStores({ client: await client(), format: "reference" }).modelStore,
});

const unique = () => `c${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
describeFeedbackStoreContract({
  name: "RedisFeedbackStore",
  create: async () => new RedisFeedbackStore({ client: await client(), prefix: unique() }),
});
describeServedLogContract({
  name: "RedisServedLog",
  create: async () => new RedisServedLog({ client: await client(), prefix: unique() }),
});
describeSettingsStoreContract({
  name: "RedisSettingsStore",
  create: async () => new RedisSettingsStore({ client: await client(), prefix: unique() }),
});
describeTenantStoreContract({
  name: "RedisTenantStore",
  create: async () => new RedisTenantStore({ client: await client(), key: `${unique()}:tenants` }),
});
describeActivityStoreContract({
  name: "RedisActivityStore",
  create: async () => new RedisActivityStore({ client: await client(), prefix: unique() }),
});
