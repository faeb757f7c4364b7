import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { createRedisClient, waitUntilReady } from "../src/client.js";
import { startRedisServer, type TestRedisServer } from "../src/testing/redis-server.js";

/**
 * A redis-server of this test file's own on a free loopback port, and a connected client: started before
 * the file's tests, stopped after them. Read `server` and `client` inside tests (they are set by then).
 */
export function useRedisServer(): { readonly server: TestRedisServer; readonly client: Redis } {
  const state: { server?: TestRedisServer; client?: Redis } = {};
  beforeAll(async () => {
    state.server = await startRedisServer();
    state.client = createRedisClient(state.server.url) as Redis;
    await waitUntilReady(state.client);
  });
  afterAll(async () => {
    state.client?.disconnect();
    await state.server?.stop();
  });
  return {
    get server() {
      return state.server!;
    },
    get client() {
      return state.client!;
    },
  };
}
