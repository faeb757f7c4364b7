import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createQdrantClient, importCatalog, QdrantContentStore } from "@recsys/adapters-qdrant";
import { createRedisClient, createRedisStores, waitUntilReady } from "@recsys/adapters-redis";
import {
  type Environment,
  normalizeEvents,
  parseTimestamp,
  resolveConfig,
  UserModelUpdater,
} from "@recsys/core";
import { createBBContentStore, FakeContentStore, readCatalogFile } from "@recsys/fakes";
import {
  ConfigError,
  type ContentStore,
  InvalidArgumentError,
  type RecConfig,
  RecsysError,
} from "@recsys/ports";
import { CliError } from "./errors.js";
import { passBucket, type ReadOptions, type ReadStats, readBodies, readPasses } from "./events-file.js";
import { collectGarbage } from "./heap.js";
import { createPool, type ResultSink, type ScoringPool, workerCount } from "./pool.js";
import { Progress } from "./progress.js";
import { aggregateEval, type EvalMetrics, type EvalRecord, type ScoringContext } from "./scoring.js";
import type { Command } from "./worker.js";

/** Where the CLI writes and what it reads from its environment. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Environment;
}

const SCORING_OPTIONS = {
  catalog: { type: "string" },
  events: { type: "string" },
  config: { type: "string" },
  now: { type: "string" },
  seed: { type: "string" },
  user: { type: "string", multiple: true },
  limit: { type: "string" },
  out: { type: "string" },
  workers: { type: "string" },
  shard: { type: "string" },
  sampling: { type: "string" },
  "memory-budget": { type: "string" },
  "tmp-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const COMMON_HELP = `Options:
  --catalog F         catalogue: JSON Lines or a JSON array of {"id", "vector", "payload"} (required)
  --events F          events: JSON Lines (one POST /ingest body per line) or a JSON array of calls (required)
  --config F          partial config in the reference's JSON names, e.g. {"mmr_lambda": 0.6}
  --now ISO           the clock (default: now); events without a timestamp get it
  --seed N            seed of all randomness (default 0); with the same seed, the same output
  --user ID           only this user (repeatable)
  --shard I/N         only users whose stable id hash is I modulo N (split a batch over N machines)
  --workers N         worker threads (default: every core; 1 = main thread only)
  --sampling MODE     random (default) or ascending (the reference's deterministic cold-start sample)
  --memory-budget MB  events held in memory at once (default 128); a bigger file is spilled once to
                      temporary files and scored in passes, with the same output
  --tmp-dir D         where those temporary files go (default: the system's temporary folder)
  --out F             write to F instead of stdout`;

const HELP: Record<string, string> = {
  main: `recsys: offline scoring, user models and evaluation with the service's brain

Usage: recsys <command> [options]

Commands:
  recommend        one JSON line per user: {"user_id", "strategy", "items", "diagnostics"}
  usermodel        the UserSignals JSON of one user
  eval             leave-last-positive-out evaluation: HR@k, NDCG@k, MRR, coverage, diversity
  catalog import   upsert a catalogue into Qdrant (QDRANT_API_URL)
  replay           append an events file to Redis (REDIS_URL) and rebuild every model

Run "recsys <command> --help" for its options and an example.`,
  recommend: `Usage: recsys recommend --catalog F --events F [--user ID]... [--limit N] [options]

Builds each user's model from their events exactly as POST /ingest does, then recommends exactly as
GET /recommend does. Output: one JSON line per user, ordered by a stable hash of the user id.

  --limit N           truncate each list to N items (after the distractor is placed)
${COMMON_HELP}

Example:
  recsys recommend --catalog catalog.jsonl --events events.jsonl --now 2026-06-10T12:00:00Z --seed 7 --limit 5`,
  usermodel: `Usage: recsys usermodel --catalog F --events F --user ID [--now ISO] [--config F]

Prints the user's model (UserSignals JSON), as GET /usermodel would after ingesting the same events.
${COMMON_HELP}

Example:
  recsys usermodel --catalog catalog.jsonl --events events.jsonl --user visitor-7 --now 2026-06-10T12:00:00Z`,
  eval: `Usage: recsys eval --catalog F --events F [--k 10] [--json] [--compare F2] [options]

For every user with at least two positive items: hold out the most recent positive, build the model from
the events before its first interaction (with the clock at that moment), recommend, and score the list.

Metrics (means over evaluated users unless said otherwise):
  HR@k         1 when the held-out item is in the first k items, else 0
  NDCG@k       1 / log2(rank + 1) when the held-out item is at rank ≤ k, else 0
  MRR          1 / rank of the held-out item in the list, 0 when absent
  coverage     distinct items recommended to any user / catalogue size
  diversity    intra-list diversity: mean pairwise cosine distance (1 − cos) of a list's items
  cold share   share of users served by the cold-start path

  --k N               the cut-off and list length (default 10)
  --json              machine-readable output
  --compare F2        also evaluate config F2 and show both with the difference per metric
${COMMON_HELP}

Example:
  recsys eval --catalog catalog.jsonl --events events.jsonl --config a.json --compare b.json --k 10`,
  "catalog import": `Usage: recsys catalog import --catalog F [--url URL] [--collection C] [--batch-size N]

Creates the Qdrant collection (cosine, the catalogue's dimension) and its payload indexes if missing, then
upserts every point in batches with normalised tag_labels / tag_values. Idempotent. Progress on stderr.

  --url URL           Qdrant URL (default: QDRANT_API_URL); the API key comes from QDRANT_API_KEY
  --collection C      collection (default: QDRANT_COLLECTION, else omeka-items)
  --batch-size N      points per request (default 256)

Example:
  QDRANT_API_URL=http://127.0.0.1:6333 recsys catalog import --catalog catalog.jsonl`,
  replay: `Usage: recsys replay --events F [--redis URL] [--prefix P] [--catalog F] [--now ISO] [--config F]

Appends every event of the file to the Redis event buffer (exact replays are stored once), then rebuilds
every user's model from the buffer. Idempotent. Progress on stderr. Contents come from --catalog, else
Qdrant (QDRANT_API_URL), else the BB dev fixtures.

  --redis URL         Redis URL (default: REDIS_URL)
  --prefix P          key prefix (default: RECSYS_REDIS_PREFIX, else default)

Example:
  REDIS_URL=redis://127.0.0.1:6379 recsys replay --events events.jsonl --catalog catalog.jsonl`,
};

function integerOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new CliError(`--${name} is required`);
  return value;
}

async function loadConfig(path: string | undefined, env: Environment): Promise<RecConfig> {
  let partial: unknown = {};
  if (path) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new CliError(
        `cannot read config file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    try {
      partial = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${path}: not valid JSON (${(error as Error).message})`);
    }
  }
  try {
    return resolveConfig(partial, env);
  } catch (error) {
    if (ConfigError.isInstance(error)) throw new CliError(path ? `${path}: ${error.message}` : error.message);
    throw error;
  }
}

function parseNow(value: string | undefined): number {
  if (value === undefined) return Date.now();
  const ms = parseTimestamp(value);
  if (ms === null) throw new CliError(`--now must be an ISO-8601 timestamp, got ${JSON.stringify(value)}`);
  return ms;
}

function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index >= count)
    throw new CliError(`--shard must be I/N with 0 ≤ I < N, got ${JSON.stringify(value)}`);
  return { index, count };
}

type ScoringValues = {
  [K in keyof typeof SCORING_OPTIONS]?: (typeof SCORING_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof SCORING_OPTIONS)[K] extends { type: "boolean" }
      ? boolean
      : string;
};

interface Prepared {
  readonly context: ScoringContext;
  readonly read: ReadOptions;
  readonly eventsPath: string;
  readonly workers: number;
  readonly budgetBytes: number;
  readonly tmpDir: string | undefined;
}

async function prepare(
  values: ScoringValues,
  io: CliIo,
  extra: { k?: number; config?: string } = {},
): Promise<Prepared> {
  const catalogPath = required(values.catalog, "catalog");
  const eventsPath = required(values.events, "events");
  const cfg = await loadConfig(extra.config ?? values.config, io.env);
  const nowMs = parseNow(values.now);
  const sampling = values.sampling ?? "random";
  if (sampling !== "random" && sampling !== "ascending")
    throw new CliError(`--sampling must be random or ascending, got ${JSON.stringify(sampling)}`);
  const users = values.user && values.user.length > 0 ? new Set(values.user) : undefined;
  return {
    context: {
      catalogPath,
      cfg,
      nowMs,
      seed: integerOption(values.seed, "seed", 0, 0),
      sampling,
      limit: values.limit === undefined ? null : integerOption(values.limit, "limit", 10, 1),
      k: extra.k ?? 10,
    },
    read: { now: nowMs, windowDays: cfg.event_window_days, users, shard: parseShard(values.shard) },
    eventsPath,
    workers: workerCount(integerOption(values.workers, "workers", 0, 0)),
    budgetBytes: integerOption(values["memory-budget"], "memory-budget", 128, 1) * 1024 * 1024,
    tmpDir: values["tmp-dir"],
  };
}

/** Score every selected user, pass by pass, handing results to `emit` in a stable order. */
async function scoreFile(
  prepared: Prepared,
  pool: ScoringPool,
  command: Command,
  io: CliIo,
  emit: ResultSink,
): Promise<ReadStats> {
  const stats: ReadStats = { events: 0, rejected: 0, firstRejection: null };
  const progress = new Progress(io.stderr, command, 0);
  const { eventsPath, budgetBytes, read, tmpDir } = prepared;
  for await (const byUser of readPasses(eventsPath, budgetBytes, { ...read, tmpDir }, stats)) {
    // What the previous pass and the reading left behind is dead now: free it before scoring this pass.
    collectGarbage();
    const users = [...byUser]
      .map(([id, events]) => ({ id, events, bucket: passBucket(id) }))
      .sort((a, b) => a.bucket - b.bucket || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ id, events }): [string, string[]] => [id, events]);
    byUser.clear();
    progress.addTotal(users.length);
    await pool.run(command, users, (n) => progress.tick(n), emit);
  }
  progress.finish();
  if (stats.rejected > 0)
    io.stderr.write(`recsys: warning: ${stats.rejected} event(s) rejected; first: ${stats.firstRejection}\n`);
  return stats;
}

/**
 * Where results go: `--out` or stdout. `write` returns a promise when the stream's buffer is full, which
 * holds back scoring until it drains (so output never piles up in memory).
 */
function output(
  values: ScoringValues,
  io: CliIo,
): { write: (line: string) => Promise<void> | undefined; close: () => Promise<void> } {
  const drainable = (stream: NodeJS.WritableStream) => (line: string) =>
    stream.write(line) ? undefined : once(stream, "drain").then(() => {});
  if (!values.out) return { write: drainable(io.stdout), close: async () => {} };
  const stream = createWriteStream(values.out);
  return {
    write: drainable(stream),
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.end(resolve);
      }),
  };
}

async function recommendCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: SCORING_OPTIONS, strict: true });
  if (values.help) return help("recommend", io);
  const prepared = await prepare(values, io);
  const pool = await createPool(prepared.context, prepared.workers);
  const out = output(values, io);
  try {
    await scoreFile(prepared, pool, "recommend", io, (result) => out.write(`${JSON.stringify(result)}\n`));
  } finally {
    await pool.close();
    await out.close();
  }
  return 0;
}

async function usermodelCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: SCORING_OPTIONS, strict: true });
  if (values.help) return help("usermodel", io);
  if (values.user?.length !== 1) throw new CliError("--user is required, exactly once");
  const prepared = await prepare({ ...values, workers: "1" }, io);
  const pool = await createPool(prepared.context, 1);
  const out = output(values, io);
  let found = false;
  try {
    await scoreFile(prepared, pool, "usermodel", io, (result) => {
      found = true;
      return out.write(`${JSON.stringify(result)}\n`);
    });
    if (!found)
      throw new CliError(`no event of user ${JSON.stringify(values.user[0])} in ${prepared.eventsPath}`);
  } finally {
    await pool.close();
    await out.close();
  }
  return 0;
}

const METRIC_ROWS: [keyof EvalMetrics, (k: number) => string][] = [
  ["users", () => "users evaluated"],
  ["hit_rate", (k) => `HR@${k}`],
  ["ndcg", (k) => `NDCG@${k}`],
  ["mrr", () => "MRR"],
  ["coverage", () => "coverage"],
  ["diversity", () => "diversity"],
  ["cold_share", () => "cold share"],
];

function evalTable(a: EvalMetrics, b: EvalMetrics | null, names: [string, string]): string {
  const fmt = (key: keyof EvalMetrics, value: number) => (key === "users" ? String(value) : value.toFixed(4));
  const rows = METRIC_ROWS.map(([key, label]) => {
    const cells = [label(a.k), fmt(key, a[key])];
    if (b) {
      const delta = b[key] - a[key];
      cells.push(fmt(key, b[key]), key === "users" ? "" : `${delta >= 0 ? "+" : ""}${delta.toFixed(4)}`);
    }
    return cells;
  });
  const header = ["metric", names[0], ...(b ? [names[1], "Δ"] : [])];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return `${[line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n`;
}

async function evalCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...SCORING_OPTIONS,
      k: { type: "string" },
      json: { type: "boolean" },
      compare: { type: "string" },
    },
    strict: true,
  });
  if (values.help) return help("eval", io);
  const k = integerOption(values.k, "k", 10, 1);
  const runOne = async (config: string | undefined) => {
    const prepared = await prepare(values, io, { k, ...(config ? { config } : {}) });
    const pool = await createPool(prepared.context, prepared.workers);
    const records: EvalRecord[] = [];
    try {
      await scoreFile(prepared, pool, "eval", io, (r) => {
        if (r) records.push(r as EvalRecord);
      });
    } finally {
      await pool.close();
    }
    return aggregateEval(records, k, await pool.catalogSize());
  };
  const a = await runOne(values.config);
  const b = values.compare ? await runOne(values.compare) : null;
  const out = output(values, io);
  const names: [string, string] = [values.config ?? "default", values.compare ?? ""];
  if (values.json) {
    const body = b
      ? {
          [names[0]]: a,
          [names[1]]: b,
          difference: Object.fromEntries(METRIC_ROWS.map(([key]) => [key, b[key] - a[key]])),
        }
      : a;
    await out.write(`${JSON.stringify(body)}\n`);
  } else await out.write(evalTable(a, b, names));
  await out.close();
  return 0;
}

async function catalogImportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      catalog: { type: "string" },
      url: { type: "string" },
      collection: { type: "string" },
      "batch-size": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return help("catalog import", io);
  const catalog = required(values.catalog, "catalog");
  const url = values.url ?? io.env.QDRANT_API_URL?.trim();
  if (!url) throw new CliError("--url or QDRANT_API_URL is required");
  const collection = values.collection ?? (io.env.QDRANT_COLLECTION?.trim() || "omeka-items");
  const points = await readCatalogFile(catalog);
  const client = createQdrantClient(url, {
    apiKey: io.env.QDRANT_API_KEY?.trim() || undefined,
    timeoutMs: 30_000,
  });
  const written = await importCatalog(client, collection, points, {
    batchSize: integerOption(values["batch-size"], "batch-size", 256, 1),
    onProgress: (done, total) => io.stderr.write(`imported ${done}/${total} points\n`),
  });
  io.stdout.write(`${JSON.stringify({ collection, points: written })}\n`);
  return 0;
}

async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string" },
      redis: { type: "string" },
      prefix: { type: "string" },
      catalog: { type: "string" },
      now: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return help("replay", io);
  const events = required(values.events, "events");
  const url = values.redis ?? io.env.REDIS_URL?.trim();
  if (!url) throw new CliError("--redis or REDIS_URL is required");
  const cfg = await loadConfig(values.config, io.env);
  const nowMs = parseNow(values.now);
  let contentStore: ContentStore;
  if (values.catalog) contentStore = FakeContentStore.fromPoints(await readCatalogFile(values.catalog));
  else if (io.env.QDRANT_API_URL?.trim()) {
    const client = createQdrantClient(io.env.QDRANT_API_URL.trim(), {
      apiKey: io.env.QDRANT_API_KEY?.trim() || undefined,
    });
    contentStore = new QdrantContentStore({
      client,
      collection: io.env.QDRANT_COLLECTION?.trim() || "omeka-items",
    });
  } else contentStore = createBBContentStore();
  const client = createRedisClient(url, { commandTimeoutMs: 10_000 });
  client.on("error", () => {});
  try {
    if (!(await waitUntilReady(client, 5000))) throw new CliError(`cannot connect to Redis at ${url}`);
    const { eventBuffer, modelStore } = createRedisStores({
      client,
      prefix: values.prefix ?? (io.env.RECSYS_REDIS_PREFIX?.trim() || "default"),
      windowDays: cfg.event_window_days,
      modelTtlDays: cfg.model_ttl_days,
    });
    let appended = 0;
    let rejected = 0;
    let batch = [];
    for await (const { body } of readBodies(events)) {
      const result = normalizeEvents(body, { now: nowMs });
      rejected += result.rejected.length;
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
    io.stdout.write(`${JSON.stringify({ events: appended, rejected, users })}\n`);
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
  return 0;
}

function help(topic: string, io: CliIo): number {
  io.stdout.write(`${HELP[topic]}\n`);
  return 0;
}

/**
 * Run the `recsys` command line.
 * @param argv - the arguments after the program name
 * @param io - output streams and environment
 * @returns the exit code: 0 on success, 2 for bad arguments, files or data, 1 for other failures
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "--help":
      case "-h":
      case "help":
        return help("main", io);
      case "recommend":
        return await recommendCommand(rest, io);
      case "usermodel":
        return await usermodelCommand(rest, io);
      case "eval":
        return await evalCommand(rest, io);
      case "catalog":
        if (rest[0] === "import") return await catalogImportCommand(rest.slice(1), io);
        throw new CliError(`unknown command "catalog ${rest[0] ?? ""}"; did you mean "catalog import"?`);
      case "replay":
        return await replayCommand(rest, io);
      default:
        throw new CliError(`unknown command ${JSON.stringify(command)}; run "recsys --help"`);
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      error instanceof CliError ||
      InvalidArgumentError.isInstance(error) ||
      (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))
    ) {
      io.stderr.write(`recsys: ${(error as Error).message.split("\n")[0]}\n`);
      return 2;
    }
    if (RecsysError.isInstance(error)) {
      io.stderr.write(`recsys: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`recsys: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}
