import { parseArgs } from "node:util";
import type { ContentStore } from "@recsys/ports";
import { CliError } from "../errors.js";
import { eventFiles, readBodies } from "../events-file.js";
import { tenantScope } from "../tenant.js";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import { loadConfig, parseNow, required } from "./options.js";

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string" },
      redis: { type: "string" },
      prefix: { type: "string" },
      catalog: { type: "string" },
      now: { type: "string" },
      config: { type: "string" },
      tenant: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return printHelp(command, io);
  // Loaded on use, so `recsys --help` and other commands start fast.
  const { qdrantContentStoreFromEnv } = await import("@recsys/adapters-qdrant");
  const { redisStoresFromEnv } = await import("@recsys/adapters-redis");
  const { normalizeEvents, UserModelUpdater } = await import("@recsys/core");
  const { createBBContentStore, InMemoryContentStore, readCatalogFile } = await import("@recsys/fakes");
  const events = required(values.events, "events");
  // A tenant's Redis prefix, collection, catalogue and settings (docs/behaviour.md §7.7); flags win.
  const withRedis = { ...io.env, ...(values.redis ? { REDIS_URL: values.redis } : {}) };
  const tenant = values.tenant ? await tenantScope(withRedis, values.tenant) : null;
  const cfg = await loadConfig(values.config, io.env, tenant?.settings);
  const nowMs = parseNow(values.now);
  // The adapter reads its own variables (REDIS_URL, REDIS_CLUSTER, RECSYS_REDIS_PREFIX, …); flags win.
  const env: Record<string, string | undefined> = {
    ...(tenant?.env ?? withRedis),
    ...(values.prefix ? { RECSYS_REDIS_PREFIX: values.prefix } : {}),
  };
  const catalog = values.catalog ?? tenant?.catalog;
  let contentStore: ContentStore;
  if (catalog) contentStore = InMemoryContentStore.fromPoints(await readCatalogFile(catalog));
  else
    contentStore =
      qdrantContentStoreFromEnv(env, { defaultTimeoutMs: 30_000 })?.store ?? createBBContentStore();
  const redis = await redisStoresFromEnv(env, {
    windowDays: cfg.event_window_days,
    modelTtlDays: cfg.model_ttl_days,
    maxEventsPerUser: cfg.max_events_per_user,
    // The buffer trims its window by the replay's clock, so `--now` replays history without losing it.
    clock: () => nowMs,
    defaultTimeoutMs: 10_000,
    connectWaitMs: 5000,
  });
  if (!redis) throw new CliError("--redis or REDIS_URL is required");
  try {
    if (!redis.ready) throw new CliError(`cannot connect to Redis at ${env.REDIS_URL}`);
    const { eventBuffer, modelStore } = redis;
    let appended = 0;
    let rejected = 0;
    let outsideWindow = 0;
    let batch = [];
    for (const file of await eventFiles(events))
      for await (const { body } of readBodies(file)) {
        const result = normalizeEvents(body, { now: nowMs, windowDays: cfg.event_window_days });
        rejected += result.rejected.length;
        outsideWindow += result.outsideWindow;
        batch.push(...result.events);
        if (batch.length >= 1000) {
          await eventBuffer.append(batch);
          appended += batch.length;
          io.stderr.write(`appended ${appended} events\n`);
          batch = [];
        }
      }
    if (batch.length > 0) {
      await eventBuffer.append(batch);
      appended += batch.length;
    }
    const updater = new UserModelUpdater({ contentStore, modelStore, cfg });
    const users = await updater.rebuildAll(eventBuffer, {
      now: nowMs,
      onProgress: (done) => io.stderr.write(`rebuilt ${done} user models\n`),
    });
    if (outsideWindow > 0) {
      io.stderr.write(
        `recsys: warning: ${outsideWindow} event(s) fell outside the ${cfg.event_window_days}-day event window before ${new Date(nowMs).toISOString()} and were not replayed; pass --now with a time near the events\n`,
      );
    }
    io.stdout.write(
      `${JSON.stringify({ events: appended, rejected, outside_window: outsideWindow, users })}\n`,
    );
  } finally {
    await redis.close();
  }
  return 0;
}

/** `recsys replay`. */
export const command: CliCommand = {
  name: "replay",
  summary: "append an events file to Redis (REDIS_URL) and rebuild every model",
  help: `Usage: recsys replay --events F [--redis URL] [--tenant ID] [--prefix P] [--catalog F] [--now ISO]
                     [--config F]

Appends every event of the file to the Redis event buffer (exact replays are stored once), then rebuilds
every user's model from the buffer. Idempotent. Progress on stderr. --events may also name the service's
durable event log (RECSYS_EVENT_LOG_DIR): its day segments are read in order, to recover a wiped Redis. Contents come from --catalog, else
Qdrant (QDRANT_API_URL), else the BB dev fixtures.

Options:
  --redis URL         Redis URL (default: REDIS_URL; with REDIS_CLUSTER=1 a comma-separated list of
                      cluster seed nodes)
  --tenant ID         a tenant of the registry on that Redis: its prefix, catalogue or collection and
                      settings (its durable log is RECSYS_EVENT_LOG_DIR/ID)
  --prefix P          key prefix (default: the tenant's, else RECSYS_REDIS_PREFIX, else default)
  --now ISO           the clock: events are stamped, windowed and models built as of this moment

Example:
  REDIS_URL=redis://127.0.0.1:6379 recsys replay --events events.jsonl --catalog catalog.jsonl
  REDIS_URL=redis://127.0.0.1:6379 recsys replay --events /var/lib/recsys/log --now 2026-06-10T12:00:00Z
  REDIS_URL=redis://127.0.0.1:6379 recsys replay --tenant alpha --events /var/lib/recsys/log/alpha`,
  run,
};
