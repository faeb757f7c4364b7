import { type Environment, Recommender, resolveConfig, UserModelUpdater } from "@recsys/core";
import { createEmbeddedStoresFromFile } from "@recsys/fakes";
import {
  ConfigError,
  type ContentStore,
  type EventBuffer,
  type RecConfig,
  type RecConfigInput,
  type UserModelStore,
} from "@recsys/ports";

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
  /** Release connections and other resources. */
  close(): Promise<void>;
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
 * @throws ConfigError when a variable is invalid or names a store this build cannot use
 */
export async function buildComponents(
  cfg: RecConfigInput = {},
  env: Environment = process.env,
): Promise<Components> {
  const config = resolveConfig(cfg, env);
  for (const variable of ["QDRANT_API_URL", "REDIS_URL"] as const) {
    if (env[variable]?.trim()) {
      throw new ConfigError(
        variable,
        "is set, but this build has no adapter for it yet; unset it to run on the embedded stores",
      );
    }
  }
  const catalog = env.RECSYS_CATALOG?.trim() || undefined;
  const stores = await createEmbeddedStoresFromFile(catalog, { windowDays: config.event_window_days });
  return assemble(
    config,
    stores,
    "embedded",
    `embedded (catalogue: ${catalog ?? "BB dev fixtures"}, ${stores.contentStore.size} items)`,
    async () => {},
  );
}

/**
 * Wire the orchestrators over given stores.
 * @param cfg - the resolved config
 * @param stores - the three stores
 * @param mode - `embedded` or `real`
 * @param description - for logs
 * @param close - releases the stores
 */
export function assemble(
  cfg: RecConfig,
  stores: { contentStore: ContentStore; eventBuffer: EventBuffer; modelStore: UserModelStore },
  mode: Components["mode"],
  description: string,
  close: () => Promise<void>,
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
    close,
  };
}
