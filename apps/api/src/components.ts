import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { QDRANT_ENV_VARIABLES } from "@recsys/adapters-qdrant/variables";
import { REDIS_ENV_VARIABLES } from "@recsys/adapters-redis/variables";
import {
  type Environment,
  Recommender,
  resolveConfig,
  SharedPolicy,
  sumsOfStateFile,
  UserModelUpdater,
} from "@recsys/core";
import { readString } from "@recsys/core/config";
import {
  createEmbeddedStoresFromFile,
  InMemoryEventBuffer,
  InMemoryFeedbackStore,
  InMemoryServedLog,
  InMemoryUserModelStore,
} from "@recsys/fakes";
import {
  ConfigError,
  type ContentStore,
  type EventBuffer,
  type FeedbackStore,
  type PolicySums,
  type RecConfig,
  type RecConfigInput,
  type ServedLog,
  type UserModelStore,
} from "@recsys/ports";
import { DurableLog } from "./event-log.js";

/** Everything the service runs on: config, stores and the two orchestrators. */
export interface Components {
  readonly cfg: RecConfig;
  readonly contentStore: ContentStore;
  readonly eventBuffer: EventBuffer;
  readonly modelStore: UserModelStore;
  /** Impressions awaiting their reward, and the bandit's learned sums (shared by replicas on Redis). */
  readonly feedback: FeedbackStore;
  /** Every served list. */
  readonly servedLog: ServedLog;
  /** The durable event log (`RECSYS_EVENT_LOG_DIR`), or null. */
  readonly eventLog: DurableLog | null;
  /** The `bandit` ranking policy over `feedback`, refreshed every second while `ranking_mode` is `bandit`. */
  readonly policy: SharedPolicy;
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

/** The environment variables the stores read (adapters' own, plus the embedded catalogue file). */
export const STORE_ENV_VARIABLES: readonly string[] = [
  ...QDRANT_ENV_VARIABLES,
  ...REDIS_ENV_VARIABLES,
  "RECSYS_CATALOG",
  "RECSYS_EVENT_LOG_DIR",
  "RECSYS_BANDIT_STATE",
];

/**
 * The single place that knows about infrastructure: picks the stores from the environment and wires the
 * Recommender and UserModelUpdater. Each adapter reads its own variables:
 *
 * - `QDRANT_API_URL` → the Qdrant content store (`qdrantContentStoreFromEnv`); else the embedded
 *   catalogue (`RECSYS_CATALOG`, else the BB dev fixtures).
 * - `REDIS_URL` → the Redis event buffer and model store (`redisStoresFromEnv`); else in memory.
 * - `RECSYS_EVENT_LOG_DIR` → the durable event log (every accepted event and served list, JSON Lines).
 * - `RECSYS_BANDIT_STATE` → a LinUCB state file seeds the bandit once (into a store that learned nothing).
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
  const components = await buildStores(cfg, env, options);
  await seedPolicyFromFile(components, readString(env, "RECSYS_BANDIT_STATE", undefined));
  return components;
}

/**
 * Seed the bandit from a state file (`RECSYS_BANDIT_STATE`, written by `recsys policy train`): once, and
 * only into a store that has learned nothing, so replicas starting together seed it once.
 */
async function seedPolicyFromFile(components: Components, path: string | undefined): Promise<void> {
  if (!path) return;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    await components.close();
    throw new ConfigError(
      "RECSYS_BANDIT_STATE",
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  let sums: PolicySums;
  try {
    sums = sumsOfStateFile(JSON.parse(text), components.cfg);
  } catch (error) {
    await components.close();
    throw new ConfigError(
      "RECSYS_BANDIT_STATE",
      `${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  await components.feedback.seedPolicy(sums, createHash("sha256").update(text).digest("hex"));
  await components.policy.refresh();
}

async function buildStores(
  cfg: RecConfigInput,
  env: Environment,
  options: BuildOptions,
): Promise<Components> {
  const config = resolveConfig(cfg, env);
  const clock = options.clock ?? Date.now;
  const logDir = readString(env, "RECSYS_EVENT_LOG_DIR", undefined);
  const eventLog = logDir ? new DurableLog(logDir) : null;
  const content = await contentStoreFrom(env);
  // Each adapter (and its driver) is loaded only when its store is configured: a fast start otherwise.
  const redis = readString(env, "REDIS_URL", undefined)
    ? await (await import("@recsys/adapters-redis")).redisStoresFromEnv(env, {
        windowDays: config.event_window_days,
        modelTtlDays: config.model_ttl_days,
        maxEventsPerUser: config.max_events_per_user,
        clock,
      })
    : null;
  if (!redis) {
    const stores = {
      contentStore: content.store,
      // Bounded like Redis: TTLs by the same clock, and at most memory_max_users users each.
      eventBuffer: new InMemoryEventBuffer({
        windowDays: config.event_window_days,
        maxEventsPerUser: config.max_events_per_user,
        maxUsers: config.memory_max_users,
        clock,
      }),
      modelStore: new InMemoryUserModelStore({
        ttlDays: config.model_ttl_days,
        maxUsers: config.memory_max_users,
        clock,
      }),
      ...inMemoryFeedback(config, clock),
      eventLog,
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
  const { RedisFeedbackStore, RedisServedLog } = await import("@recsys/adapters-redis");
  return assemble(
    config,
    {
      contentStore: content.store,
      eventBuffer: redis.eventBuffer,
      modelStore: redis.modelStore,
      feedback: new RedisFeedbackStore({
        client: redis.client,
        prefix: redis.prefix,
        impressionTtlHours: config.impression_ttl_hours,
      }),
      servedLog: new RedisServedLog({
        client: redis.client,
        prefix: redis.prefix,
        maxEntries: config.served_log_max_entries,
        ttlDays: config.served_log_ttl_days,
      }),
      eventLog,
    },
    "real",
    `${redis.description}, ${content.description}`,
    () => redis.close(),
    clock,
  );
}

/** The in-memory feedback store and served log, bounded by the settings. */
function inMemoryFeedback(
  cfg: RecConfig,
  clock: () => number,
): { feedback: FeedbackStore; servedLog: ServedLog } {
  return {
    feedback: new InMemoryFeedbackStore({ impressionTtlHours: cfg.impression_ttl_hours, clock }),
    servedLog: new InMemoryServedLog({
      maxEntries: cfg.served_log_max_entries,
      ttlDays: cfg.served_log_ttl_days,
      clock,
    }),
  };
}

/** The content store chosen from the environment. */
async function contentStoreFrom(
  env: Environment,
): Promise<{ store: ContentStore; real: boolean; description: string }> {
  const qdrant = readString(env, "QDRANT_API_URL", undefined)
    ? (await import("@recsys/adapters-qdrant")).qdrantContentStoreFromEnv(env)
    : null;
  if (qdrant) return { store: qdrant.store, real: true, description: qdrant.description };
  const catalog = readString(env, "RECSYS_CATALOG", undefined);
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
 * @param stores - the three stores, and the feedback store and served log (in memory when not given)
 * @param mode - `embedded` or `real`
 * @param description - for logs
 * @param close - releases the stores
 * @param clock - the stores' clock (default `Date.now`)
 */
export function assemble(
  cfg: RecConfig,
  stores: {
    contentStore: ContentStore;
    eventBuffer: EventBuffer;
    modelStore: UserModelStore;
    feedback?: FeedbackStore;
    servedLog?: ServedLog;
    eventLog?: DurableLog | null;
  },
  mode: Components["mode"],
  description: string,
  close: () => Promise<void>,
  clock: () => number = Date.now,
): Components {
  const { contentStore, eventBuffer, modelStore } = stores;
  const { feedback, servedLog } = {
    ...inMemoryFeedback(cfg, clock),
    ...(stores.feedback ? { feedback: stores.feedback } : {}),
    ...(stores.servedLog ? { servedLog: stores.servedLog } : {}),
  };
  const policy = new SharedPolicy(feedback);
  // Every replica reads the shared sums once a second, so it ranks with what all replicas learned.
  const refresh =
    cfg.ranking_mode === "bandit" ? setInterval(() => void policy.refresh().catch(() => {}), 1000) : null;
  refresh?.unref();
  void (cfg.ranking_mode === "bandit" ? policy.refresh().catch(() => {}) : null);
  return {
    cfg,
    contentStore,
    eventBuffer,
    modelStore,
    feedback,
    servedLog,
    eventLog: stores.eventLog ?? null,
    policy,
    updater: new UserModelUpdater({ contentStore, modelStore, cfg }),
    recommender: new Recommender({
      contentStore,
      modelStore,
      cfg,
      rankingPolicies: { bandit: policy.policy },
    }),
    mode,
    description,
    clock,
    close: async () => {
      if (refresh) clearInterval(refresh);
      await stores.eventLog?.close();
      await close();
    },
  };
}
