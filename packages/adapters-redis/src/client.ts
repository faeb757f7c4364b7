import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisClient } from "./redis-stores.js";

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  /** Every command fails after this many milliseconds (default 1000), so an outage answers 503 quickly. */
  readonly commandTimeoutMs?: number;
  /** Treat the URL list as Redis Cluster seed nodes. */
  readonly cluster?: boolean;
}

/**
 * An ioredis client tuned for a request path: commands time out (`commandTimeoutMs`), fail at once while
 * disconnected (no offline queue, no per-request retries) and the client reconnects in the background
 * forever, so the service recovers without a restart when Redis comes back. Commands issued in the same tick
 * are pipelined automatically (one socket write).
 * @param url - `redis://host:port[/db]`, or a comma-separated list of seed nodes with `cluster`
 * @param options - timeout, cluster mode
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const timeout = options.commandTimeoutMs ?? 1000;
  const redisOptions: RedisOptions = {
    commandTimeout: timeout,
    connectTimeout: Math.max(timeout, 500),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    reconnectOnError: () => true,
    // Commands issued in the same tick (concurrent requests, a batch's per-user refreshes) go out in one
    // write instead of one socket write each.
    enableAutoPipelining: true,
  };
  if (options.cluster) {
    const nodes = url.split(",").map((entry) => {
      const parsed = new URL(entry.trim());
      return { host: parsed.hostname, port: Number(parsed.port || 6379) };
    });
    return new Cluster(nodes, {
      redisOptions,
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    });
  }
  return new Redis(url, redisOptions);
}

/**
 * Wait until the client is connected (or `timeoutMs` passes); never throws.
 * @param client - the client
 * @param timeoutMs - how long to wait
 * @returns whether it is ready
 */
export async function waitUntilReady(client: RedisClient, timeoutMs = 2000): Promise<boolean> {
  if (client.status === "ready") return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once("ready", onReady);
  });
}
