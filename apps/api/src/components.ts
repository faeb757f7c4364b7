import { createQdrantClient, QdrantContentStore } from "@recsys/adapters-qdrant";
import { createRedisClient, createRedisStores, waitUntilReady } from "@recsys/adapters-redis";
import { type Environment, Recommender, resolveConfig, UserModelUpdater } from "@recsys/core";
import { createEmbeddedStoresFromFile, FakeEventSource, InMemoryUserModelStore } from "@recsys/fakes";
import type { ContentStore, EventBuffer, RecConfig, RecConfigInput, UserModelStore } from "@recsys/ports";
import { flag, integer } from "./env-values.js";

/** Everything the service runs on: config, stores and the two orchestrators. */
export interface Components {
  readonly cfg: RecConfig;
  readonly contentStore: ContentStore;
  readonly eventBuffer: EventBuffer;
  readonly modelStore: UserModelStore;
  readonly updater: UserModelUpdater;
  readonly recommender: Recommender;
  /** `embedded` when every store is in memory (dev mode), `real` when any store is external. */
  readonly mode: "embedded" | "real";
  /** Human-readable description of the stores, for the start-up log. */
  readonly description: string;
  /** The clock the stores trim their event window by; the app uses it unless given its own. */
  readonly clock: () => number;
  /** Release connections and other resources. */
  close(): Promise<void>;
}

/** Options of {@link buildComponents}. */
export interface BuildOptions {
  /**
   * The clock (default `Date.now`): the event buffers trim their window by it, and the app built on these
   * components stamps events with it. Fix it to replay or test history without losing old events.
   */
  readonly clock?: () => number;
}

/**
 * The single place that knows about infrastructure: picks the stores from the environment and wires the
 * Recommender and UserModelUpdater (design §5).
 *
 * - `QDRANT_API_URL` → the Qdrant content store; else the embedded catalogue (`RECSYS_CATALOG`, else the
 *   BB dev fixtures).
 * - `REDIS_URL` → the Redis event buffer and model store; else in memory.
 *
 * @param cfg - an explicit partial config (wins over `RECSYS_*` variables)
 * @param env - the environment (default `process.env`)
 * @param options - the clock
 * @throws ConfigError when a variable is invalid
 */
export async function buildComponents(
  cfg: RecConfigInput = {},
  env: Environment = process.env,
  options: BuildOptions = {},
): Promise<Components> {
  const config = resolveConfig(cfg, env);
  const clock = options.clock ?? Date.now;
  const content = await contentStoreFrom(env);
  const redisUrl = env.REDIS_URL?.trim();
  if (!redisUrl) {
    const stores = {
      contentStore: content.store,
      eventBuffer: new FakeEventSource({ windowDays: config.event_window_days, clock }),
      modelStore: new InMemoryUserModelStore(),
    };
    const mode = content.real ? "real" : "embedded";
    return assemble(
      config,
      stores,
      mode,
      `in-memory events and models, ${content.description}`,
      async () => {},
      clock,
    );
  }
  const client = createRedisClient(redisUrl, {
    commandTimeoutMs: integer(env, "RECSYS_REDIS_TIMEOUT_MS", 1000, 1, 600_000),
    cluster: flag(env, "REDIS_CLUSTER"),
  });
  client.on("error", () => {}); // outages surface as StoreUnavailableError (503) and on /ready
  const prefix = env.RECSYS_REDIS_PREFIX?.trim() || "default";
  const redis = createRedisStores({
    client,
    prefix,
    windowDays: config.event_window_days,
    modelTtlDays: config.model_ttl_days,
    clock,
  });
  await waitUntilReady(client, 2000);
  return assemble(
    config,
    { contentStore: content.store, ...redis },
    "real",
    `redis (prefix ${prefix}), ${content.description}`,
    async () => {
      await client.quit().catch(() => client.disconnect());
    },
    clock,
  );
}

/** The content store chosen from the environment. */
async function contentStoreFrom(
  env: Environment,
): Promise<{ store: ContentStore; real: boolean; description: string }> {
  const qdrantUrl = env.QDRANT_API_URL?.trim();
  if (qdrantUrl) {
    const collection = env.QDRANT_COLLECTION?.trim() || "omeka-items";
    const client = createQdrantClient(qdrantUrl, {
      apiKey: env.QDRANT_API_KEY?.trim() || undefined,
      timeoutMs: integer(env, "RECSYS_QDRANT_TIMEOUT_MS", 2000, 1, 600_000),
    });
    return {
      store: new QdrantContentStore({ client, collection }),
      real: true,
      description: `qdrant collection ${collection}`,
    };
  }
  const catalog = env.RECSYS_CATALOG?.trim() || undefined;
  const embedded = await createEmbeddedStoresFromFile(catalog);
  return {
    store: embedded.contentStore,
    real: false,
    description: `embedded catalogue (${catalog ?? "BB dev fixtures"}, ${embedded.contentStore.size} items)`,
  };
}

/**
 * Wire the orchestrators over given stores.
 * @param cfg - the resolved config
 * @param stores - the three stores
 * @param mode - `embedded` or `real`
 * @param description - for logs
 * @param close - releases the stores
 * @param clock - the stores' clock (default `Date.now`)
 */
export function assemble(
  cfg: RecConfig,
  stores: { contentStore: ContentStore; eventBuffer: EventBuffer; modelStore: UserModelStore },
  mode: Components["mode"],
  description: string,
  close: () => Promise<void>,
  clock: () => number = Date.now,
): Components {
  const { contentStore, eventBuffer, modelStore } = stores;
  return {
    cfg,
    contentStore,
    eventBuffer,
    modelStore,
    updater: new UserModelUpdater({ contentStore, modelStore, cfg }),
    recommender: new Recommender({ contentStore, modelStore, cfg }),
    mode,
    description,
    clock,
    close,
  };
}
