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
import { deepMerge, readInteger, readString } from "@recsys/core/config";
import {
  ANN_THRESHOLD,
  createEmbeddedStoresFromFile,
  InMemoryActivityStore,
  InMemoryEventBuffer,
  InMemoryFeedbackStore,
  InMemoryServedLog,
  InMemorySettingsStore,
  InMemoryUserModelStore,
} from "@recsys/fakes";
import {
  type ActivityStore,
  ConfigError,
  type ContentStore,
  type EventBuffer,
  type FeedbackStore,
  type PolicySums,
  type RecConfig,
  type RecConfigInput,
  type ServedLog,
  type SettingsStore,
  type UserModelStore,
} from "@recsys/ports";
import { DurableLog } from "./event-log.js";

/** Everything the service runs on: config, stores and the two orchestrators. */
export interface Components {
  /** The settings in use: the start-up settings with the runtime override applied. */
  readonly cfg: RecConfig;
  readonly contentStore: ContentStore;
  readonly eventBuffer: EventBuffer;
  readonly modelStore: UserModelStore;
  /** Impressions awaiting their reward, and the bandit's learned sums (shared by replicas on Redis). */
  readonly feedback: FeedbackStore;
  /** Every served list. */
  readonly servedLog: ServedLog;
  /** The operator read models (visitors, item activity), kept up to date on ingest. */
  readonly activity: ActivityStore;
  /** The durable event log (`RECSYS_EVENT_LOG_DIR`), or null. */
  readonly eventLog: DurableLog | null;
  /** Runtime settings (docs/behaviour.md §3.1), shared by replicas on Redis. */
  readonly settings: SettingsStore;
  /** The start-up settings (environment and config file), under the runtime override. */
  readonly baseCfg: RecConfig;
  /** The version of the runtime settings in use (0: none). */
  readonly settingsVersion: number;
  /** Read the runtime settings now and apply them when their version changed. */
  applySettings(): Promise<void>;
  /** Why the stored runtime settings could not be applied (the start-up settings stay in use), or null. */
  readonly settingsError: string | null;
  /** The `bandit` ranking policy over `feedback`, refreshed every second while any list may use it. */
  readonly policy: SharedPolicy;
  readonly updater: UserModelUpdater;
  readonly recommender: Recommender;
  /** The Qdrant collection of the catalogue, or null for an embedded catalogue. */
  readonly collection: string | null;
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
  /** What tenants share: one Redis connection, and each embedded catalogue loaded once. */
  readonly shared?: SharedResources;
  /**
   * Components this build replaces (a tenant whose spec changed): their in-memory stores are kept, so the
   * embedded default loses no data when a tenant's catalogue or settings change.
   */
  readonly reuse?: Components;
}

/** What every tenant's components share in one process. */
export interface SharedResources {
  /** The one Redis connection of the process (made by the first build that needs it). */
  redisClient?: import("@recsys/adapters-redis").RedisClient;
  /** Embedded catalogues by file (`""`: the BB dev fixtures), each loaded once. */
  readonly catalogs: Map<string, Promise<Awaited<ReturnType<typeof createEmbeddedStoresFromFile>>>>;
}

/** A new, empty {@link SharedResources}. */
export function sharedResources(): SharedResources {
  return { catalogs: new Map() };
}

/** The environment variables the stores read (adapters' own, plus the embedded catalogue file). */
export const STORE_ENV_VARIABLES: readonly string[] = [
  ...QDRANT_ENV_VARIABLES,
  ...REDIS_ENV_VARIABLES,
  "RECSYS_CATALOG",
  "RECSYS_ANN_THRESHOLD",
  "RECSYS_CATALOG_VECTORS",
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
  // The runtime settings stored by an earlier run (or another replica) apply from the start; a stored
  // override this version cannot apply leaves the start-up settings in use.
  await components.applySettings().catch(() => {});
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
  const content = await contentStoreFrom(env, options.shared);
  // Each adapter (and its driver) is loaded only when its store is configured: a fast start otherwise.
  const redis = readString(env, "REDIS_URL", undefined)
    ? await (await import("@recsys/adapters-redis")).redisStoresFromEnv(env, {
        windowDays: config.event_window_days,
        modelTtlDays: config.model_ttl_days,
        maxEventsPerUser: config.max_events_per_user,
        clock,
        ...(options.shared?.redisClient ? { client: options.shared.redisClient } : {}),
      })
    : null;
  if (redis && options.shared && !options.shared.redisClient) {
    // The first build's connection is the process's: whoever owns the shared resources closes it.
    options.shared.redisClient = redis.client;
  }
  if (!redis) {
    // In memory, bounded like Redis (TTLs by the same clock, at most memory_max_users users each); a
    // tenant rebuilt keeps the stores it had, so its data stays.
    const reuse = options.reuse;
    const stores = reuse
      ? {
          eventBuffer: reuse.eventBuffer,
          modelStore: reuse.modelStore,
          feedback: reuse.feedback,
          servedLog: reuse.servedLog,
          settings: reuse.settings,
          activity: reuse.activity,
        }
      : {
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
        };
    return assemble(
      config,
      { ...stores, contentStore: content.store, eventLog, collection: content.collection ?? null },
      content.real ? "real" : "embedded",
      `in-memory events and models, ${content.description}`,
      async () => {},
      clock,
    );
  }
  const { RedisActivityStore, RedisFeedbackStore, RedisServedLog, RedisSettingsStore } = await import(
    "@recsys/adapters-redis"
  );
  return assemble(
    config,
    {
      contentStore: content.store,
      collection: content.collection ?? null,
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
      settings: new RedisSettingsStore({ client: redis.client, prefix: redis.prefix }),
      activity: new RedisActivityStore({
        client: redis.client,
        prefix: redis.prefix,
        ttlDays: config.model_ttl_days,
        maxVisitors: config.memory_max_users,
      }),
      eventLog,
    },
    "real",
    `${redis.description}, ${content.description}`,
    options.shared ? async () => {} : () => redis.close(),
    clock,
  );
}

/** The content store chosen from the environment. */
async function contentStoreFrom(
  env: Environment,
  shared?: SharedResources,
): Promise<{ store: ContentStore; real: boolean; description: string; collection?: string }> {
  const qdrant = readString(env, "QDRANT_API_URL", undefined)
    ? (await import("@recsys/adapters-qdrant")).qdrantContentStoreFromEnv(env)
    : null;
  if (qdrant)
    return {
      store: qdrant.store,
      real: true,
      description: qdrant.description,
      collection: qdrant.collection,
    };
  const catalog = readString(env, "RECSYS_CATALOG", undefined);
  let loading = shared?.catalogs.get(catalog ?? "");
  if (!loading) {
    // From RECSYS_ANN_THRESHOLD items (default 50,000) the vector search goes through an HNSW index.
    const annThreshold = readInteger(env, "RECSYS_ANN_THRESHOLD", ANN_THRESHOLD, 1, 2 ** 31 - 1);
    // Where a packed catalogue's vectors are kept under that index: read from its file as needed, or held.
    const vectors = readString(env, "RECSYS_CATALOG_VECTORS", "file");
    if (vectors !== "file" && vectors !== "memory")
      throw new ConfigError(
        "RECSYS_CATALOG_VECTORS",
        `expected file or memory, got ${JSON.stringify(vectors)}`,
      );
    loading = createEmbeddedStoresFromFile(catalog, { annThreshold, vectors });
    shared?.catalogs.set(catalog ?? "", loading);
    // A catalogue that failed to load is tried again next time.
    loading.catch(() => shared?.catalogs.delete(catalog ?? ""));
  }
  const embedded = await loading;
  return {
    store: embedded.contentStore,
    real: false,
    description: `embedded catalogue (${catalog ?? "BB dev fixtures"}, ${embedded.contentStore.size} items, ${embedded.contentStore.vectorSearch} vector search${embedded.contentStore.vectorStorage === "file" ? ", vectors read from the packed file" : ""})`,
  };
}

/** Settings the stores are built with: they apply at the next start, never at run time. */
export const START_ONLY_SETTINGS = [
  "event_window_days",
  "max_events_per_user",
  "memory_max_users",
  "model_ttl_days",
  "impression_ttl_hours",
  "served_log_max_entries",
  "served_log_ttl_days",
] as const;

/** The parts of the components that runtime settings replace. */
interface LiveParts {
  readonly cfg: RecConfig;
  readonly recommender: Recommender;
  readonly updater: UserModelUpdater;
  readonly settingsVersion: number;
}

/**
 * The effective settings of an override: the start-up settings with the override deep-merged in,
 * validated (every experiment variant too).
 * @param base - the start-up settings
 * @param override - the runtime override
 * @throws ConfigError naming the field at fault
 */
export function effectiveSettings(base: RecConfig, override: Readonly<Record<string, unknown>>): RecConfig {
  return resolveConfig(deepMerge(base, override));
}

/**
 * Wire the orchestrators over given stores. The settings in use are the start-up ones with the runtime
 * override of `settings` applied (docs/behaviour.md §3.1); every replica reads the override's version once a
 * second and rebuilds the Recommender and the updater when it changed.
 * @param cfg - the resolved start-up config
 * @param stores - the three stores, and the feedback store, served log and settings store (in memory
 *   when not given)
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
    settings?: SettingsStore;
    activity?: ActivityStore;
    eventLog?: DurableLog | null;
    collection?: string | null;
  },
  mode: Components["mode"],
  description: string,
  close: () => Promise<void>,
  clock: () => number = Date.now,
): Components {
  const { contentStore, eventBuffer, modelStore } = stores;
  // In memory (bounded by the settings) unless the caller gave real ones.
  const feedback =
    stores.feedback ?? new InMemoryFeedbackStore({ impressionTtlHours: cfg.impression_ttl_hours, clock });
  const servedLog =
    stores.servedLog ??
    new InMemoryServedLog({
      maxEntries: cfg.served_log_max_entries,
      ttlDays: cfg.served_log_ttl_days,
      clock,
    });
  const settings = stores.settings ?? new InMemorySettingsStore();
  const activity = stores.activity ?? new InMemoryActivityStore({ maxVisitors: cfg.memory_max_users });
  const policy = new SharedPolicy(feedback);
  const partsFor = (effective: RecConfig, version: number): LiveParts => ({
    cfg: effective,
    settingsVersion: version,
    updater: new UserModelUpdater({ contentStore, modelStore, cfg: effective }),
    recommender: new Recommender({
      contentStore,
      modelStore,
      cfg: effective,
      rankingPolicies: { bandit: policy.policy },
    }),
  });
  let live = partsFor(cfg, 0);
  const usesBandit = (c: RecConfig) =>
    c.ranking_mode === "bandit" ||
    (c.experiment?.variants ?? []).some((v) => v.settings.ranking_mode === "bandit");
  let settingsError: string | null = null;
  const applySettings = async (): Promise<void> => {
    const current = await settings.current();
    if (current.version === live.settingsVersion) return;
    try {
      live = partsFor(effectiveSettings(cfg, current.override), current.version);
      settingsError = null;
    } catch (error) {
      settingsError = `runtime settings version ${current.version}: ${error instanceof Error ? error.message : String(error)}`;
      throw error;
    }
  };
  // Once a second: the runtime settings' version (every replica applies a change within about a second),
  // and the bandit's shared sums while any list may be ranked by it.
  const tick = async () => {
    if ((await settings.version().catch(() => live.settingsVersion)) !== live.settingsVersion)
      await applySettings().catch(() => {});
    if (usesBandit(live.cfg)) await policy.refresh().catch(() => {});
  };
  const timer = setInterval(() => void tick(), 1000);
  timer.unref();
  void tick();
  return {
    get cfg() {
      return live.cfg;
    },
    get recommender() {
      return live.recommender;
    },
    get updater() {
      return live.updater;
    },
    get settingsVersion() {
      return live.settingsVersion;
    },
    baseCfg: cfg,
    settings,
    applySettings,
    get settingsError() {
      return settingsError;
    },
    contentStore,
    eventBuffer,
    modelStore,
    feedback,
    servedLog,
    activity,
    eventLog: stores.eventLog ?? null,
    collection: stores.collection ?? null,
    policy,
    mode,
    description,
    clock,
    close: async () => {
      clearInterval(timer);
      await stores.eventLog?.close();
      await close();
    },
  };
}
