import type { Environment } from "@recsys/core";

export { REDIS_ENV_VARIABLES } from "./variables.js";

import { readFlag, readInteger, readString } from "@recsys/core/config";
import { ConfigError } from "@recsys/ports";
import { createRedisClient, waitUntilReady } from "./client.js";
import { REDIS_FORMATS, type RedisFormat } from "./format.js";
import {
  createRedisStores,
  type RedisClient,
  type RedisEventBuffer,
  type RedisUserModelStore,
} from "./redis-stores.js";

/** Options of {@link redisStoresFromEnv}. */
export interface RedisFromEnvOptions {
  /** Days of events kept per user (the setting `event_window_days`). */
  readonly windowDays: number;
  /** Days a saved model lives (the setting `model_ttl_days`). */
  readonly modelTtlDays: number;
  /** Events kept per user (the setting `max_events_per_user`, default 300). */
  readonly maxEventsPerUser?: number;
  /** The clock the buffer trims its window by (default `Date.now`). */
  readonly clock?: () => number;
  /** Command timeout when `RECSYS_REDIS_TIMEOUT_MS` is unset (default 1000 ms; batch jobs pass more). */
  readonly defaultTimeoutMs?: number;
  /** How long to wait for the first connection (default 2000 ms). */
  readonly connectWaitMs?: number;
  /**
   * A connection to share (one per process, whatever the number of tenants): used instead of connecting
   * to `REDIS_URL`, and left open by `close`.
   */
  readonly client?: RedisClient;
}

/** The Redis stores made from an environment, with their client. */
export interface RedisStoresFromEnv {
  /** The event buffer. */
  readonly eventBuffer: RedisEventBuffer;
  /** The model store. */
  readonly modelStore: RedisUserModelStore;
  /** The client: the caller closes it (`close`). */
  readonly client: RedisClient;
  /** The key prefix in use. */
  readonly prefix: string;
  /** Whether the first connection succeeded within `connectWaitMs`. */
  readonly ready: boolean;
  /** `redis (prefix P)` or `redis cluster (prefix P)`, for start-up logs. */
  readonly description: string;
  /** Quit the client (disconnect when quitting fails). */
  close(): Promise<void>;
}

/**
 * The Redis event buffer and model store configured by the environment, or null when `REDIS_URL` is
 * unset. `REDIS_URL` is a `redis://` URL, or with `REDIS_CLUSTER=1` a comma-separated list of cluster
 * seed nodes; `RECSYS_REDIS_PREFIX` (default `default`) prefixes every key; `RECSYS_REDIS_TIMEOUT_MS`
 * bounds every command; `RECSYS_REDIS_FORMAT` (`compact`, the default, or `reference`) picks how events and models are
 * written.
 * @param env - the environment
 * @param options - window, model TTL, clock, default timeout
 * @throws ConfigError naming a variable whose value is invalid
 */
export async function redisStoresFromEnv(
  env: Environment,
  options: RedisFromEnvOptions,
): Promise<RedisStoresFromEnv | null> {
  const url = readString(env, "REDIS_URL", undefined);
  if (!url) return null;
  const cluster = readFlag(env, "REDIS_CLUSTER");
  const format = readString(env, "RECSYS_REDIS_FORMAT", "compact");
  if (!(REDIS_FORMATS as readonly string[]).includes(format))
    throw new ConfigError(
      "RECSYS_REDIS_FORMAT",
      `expected one of ${REDIS_FORMATS.join(", ")}, got ${JSON.stringify(format)}`,
    );
  const shared = options.client;
  const client =
    shared ??
    createRedisClient(url, {
      commandTimeoutMs: readInteger(
        env,
        "RECSYS_REDIS_TIMEOUT_MS",
        options.defaultTimeoutMs ?? 1000,
        1,
        600_000,
      ),
      cluster,
    });
  if (!shared) client.on("error", () => {}); // outages surface as StoreUnavailableError and on readiness checks
  const prefix = readString(env, "RECSYS_REDIS_PREFIX", "default");
  const stores = createRedisStores({
    client,
    prefix,
    windowDays: options.windowDays,
    modelTtlDays: options.modelTtlDays,
    format: format as RedisFormat,
    ...(options.maxEventsPerUser ? { maxEventsPerUser: options.maxEventsPerUser } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const ready = shared ? true : await waitUntilReady(client, options.connectWaitMs ?? 2000);
  return {
    ...stores,
    client,
    prefix,
    ready,
    description: `${cluster ? "redis cluster" : "redis"} (prefix ${prefix})`,
    close: async () => {
      if (shared) return;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
