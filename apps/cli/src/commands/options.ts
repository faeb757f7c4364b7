import { once } from "node:events";
import { type FileHandle, open, readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { type Environment, resolveConfig } from "@recsys/core";
import { deepMerge } from "@recsys/core/config";
import { parseTimestamp } from "@recsys/core/time";
import {
  ConfigError,
  type RecConfig,
  type RecommendRequestOptions,
  safeParseRecommendOptionsText,
} from "@recsys/ports";
import { CliError } from "../errors.js";
import { copyToTempFile, passBucket, type ReadOptions, type ReadStats, readPasses } from "../events-file.js";
import { collectGarbage } from "../heap.js";
import type { ResultSink, ScoringPool } from "../pool.js";
import { Progress } from "../progress.js";
import type { ScoringContext } from "../scoring.js";
import { tenantScope } from "../tenant.js";
import type { Command } from "../worker.js";
import type { CliIo } from "./command.js";

/** The flags of every scoring command (recommend, usermodel, eval). */
export const SCORING_OPTIONS = {
  catalog: { type: "string" },
  tenant: { type: "string" },
  events: { type: "string" },
  config: { type: "string" },
  now: { type: "string" },
  seed: { type: "string" },
  user: { type: "string", multiple: true },
  limit: { type: "string" },
  filter: { type: "string" },
  "near-lat": { type: "string" },
  "near-lon": { type: "string" },
  "geo-radius-m": { type: "string" },
  "include-content": { type: "string" },
  out: { type: "string" },
  workers: { type: "string" },
  shard: { type: "string" },
  sampling: { type: "string" },
  "ann-threshold": { type: "string" },
  "memory-budget": { type: "string" },
  "tmp-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Help text of the flags every scoring command shares. */
export const COMMON_HELP = `  --catalog F         catalogue: JSON Lines or a JSON array of {"id", "vector", "payload"} (required
                      unless --tenant names a tenant with a catalogue)
  --tenant ID         a tenant of the service's registry (Redis when REDIS_URL is set, else
                      RECSYS_TENANT_STORE, else RECSYS_TENANTS): its settings and catalogue apply
  --events F          events: JSON Lines (one POST /ingest body per line) or a JSON array of calls (required)
  --config F          partial config in the reference's JSON names, e.g. {"mmr_lambda": 0.6}
  --now ISO           the clock (default: now); events without a timestamp get it
  --seed N            seed of all randomness (default 0); with the same seed, the same output
  --user ID           only this user (repeatable)
  --shard I/N         only users whose stable id hash is I modulo N (split a batch over N machines)
  --workers N         worker threads (default: every core; 1 = main thread only)
  --sampling MODE     random (default) or ascending (the reference's deterministic cold-start sample)
  --ann-threshold N   search an HNSW index (usearch) from N catalogue items (default: always exact; the
                      service's default is 50,000, RECSYS_ANN_THRESHOLD)
  --memory-budget MB  events held in memory at once (default 128); a bigger file is spilled once to
                      temporary files and scored in passes, with the same output
  --tmp-dir D         where those temporary files go (default: the system's temporary folder)
  --out F             write to F instead of stdout`;

/** Help text of the recommend options (the same options, and checks, as GET /recommend). */
export const RECOMMEND_OPTIONS_HELP = `  --limit N           truncate each list to N items (1..50, after the distractor is placed)
  --filter V          only items with this tag value (e.g. AiARLocationBarrack3)
  --near-lat X        latitude of the visitor (with --near-lon adds the geo scorer)
  --near-lon Y        longitude of the visitor
  --geo-radius-m R    with --near-lat/--near-lon: only items within R metres
  --include-content B false leaves each item's content out (default true)`;

const OPTION_FLAGS = {
  limit: "limit",
  filter: "filter",
  near_lat: "near-lat",
  near_lon: "near-lon",
  geo_radius_m: "geo-radius-m",
  include_content: "include-content",
} as const;

/**
 * The recommend options given as flags, checked by the options schema of `@recsys/ports` (the one the
 * HTTP route uses too).
 * @param values - parsed flags
 * @throws CliError naming the flag at fault
 */
export function recommendOptions(values: ScoringValues): RecommendRequestOptions {
  const text: Record<string, string> = {};
  for (const [field, flag] of Object.entries(OPTION_FLAGS)) {
    const value = values[flag as keyof ScoringValues];
    if (typeof value === "string") text[field] = value;
  }
  const parsed = safeParseRecommendOptionsText(text);
  if (parsed.success) return parsed.output;
  const flag = OPTION_FLAGS[parsed.field as keyof typeof OPTION_FLAGS] ?? parsed.field;
  // Messages start with the field's name: say the flag instead.
  const message = parsed.message.startsWith(parsed.field)
    ? `--${flag}${parsed.message.slice(parsed.field.length)}`
    : `--${flag}: ${parsed.message}`;
  throw new CliError(message);
}

export function integerOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new CliError(`--${name} is required`);
  return value;
}

/**
 * The settings of a command: defaults, the `RECSYS_*` environment, a tenant's settings, then the `--config`
 * file (deep-merged over them).
 * @param path - the `--config` file
 * @param env - the environment
 * @param base - a tenant's settings, under the file
 */
export async function loadConfig(
  path: string | undefined,
  env: Environment,
  base: Readonly<Record<string, unknown>> = {},
): Promise<RecConfig> {
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
    return resolveConfig(deepMerge(base, partial as Record<string, unknown>), env);
  } catch (error) {
    if (ConfigError.isInstance(error)) throw new CliError(path ? `${path}: ${error.message}` : error.message);
    throw error;
  }
}

export function parseNow(value: string | undefined): number {
  if (value === undefined) return Date.now();
  const ms = parseTimestamp(value);
  if (ms === null) throw new CliError(`--now must be an ISO-8601 timestamp, got ${JSON.stringify(value)}`);
  return ms;
}

export function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || count < 1 || index >= count)
    throw new CliError(`--shard must be I/N with 0 ≤ I < N, got ${JSON.stringify(value)}`);
  return { index, count };
}

export type ScoringValues = {
  [K in keyof typeof SCORING_OPTIONS]?: (typeof SCORING_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof SCORING_OPTIONS)[K] extends { type: "boolean" }
      ? boolean
      : string;
};

export interface Prepared {
  readonly context: ScoringContext;
  readonly read: ReadOptions;
  readonly eventsPath: string;
  readonly workers: number;
  readonly budgetBytes: number;
  readonly tmpDir: string | undefined;
}

export async function prepare(
  values: ScoringValues,
  io: CliIo,
  extra: { k?: number; config?: string } = {},
): Promise<Prepared> {
  const tenant = values.tenant ? await tenantScope(io.env, values.tenant) : null;
  const catalogPath = required(values.catalog ?? tenant?.catalog, "catalog");
  let eventsPath = required(values.events, "events");
  if (eventsPath === "-") {
    if (!io.stdin) throw new CliError("--events - needs standard input");
    eventsPath = await copyToTempFile(io.stdin, values["tmp-dir"]);
  }
  const cfg = await loadConfig(extra.config ?? values.config, io.env, tenant?.settings);
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
      ...(values["ann-threshold"] === undefined
        ? {}
        : { annThreshold: integerOption(values["ann-threshold"], "ann-threshold", 50_000, 1) }),
      options: recommendOptions(values),
      k: extra.k ?? 10,
    },
    read: {
      now: nowMs,
      windowDays: cfg.event_window_days,
      maxEventsPerUser: cfg.max_events_per_user,
      users,
      shard: parseShard(values.shard),
    },
    eventsPath,
    workers: workers(values.workers, io),
    budgetBytes: integerOption(values["memory-budget"], "memory-budget", 128, 1) * 1024 * 1024,
    tmpDir: values["tmp-dir"],
  };
}

/** Score every selected user, pass by pass, handing results to `emit` in a stable order. */
export async function scoreFile(
  prepared: Prepared,
  pool: ScoringPool,
  command: Command,
  io: CliIo,
  emit: ResultSink,
): Promise<ReadStats> {
  const stats: ReadStats = { events: 0, rejected: 0, firstRejection: null, outsideWindow: 0 };
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
  if (stats.outsideWindow > 0) {
    const days = prepared.context.cfg.event_window_days;
    const now = new Date(prepared.context.nowMs).toISOString();
    io.stderr.write(
      `recsys: warning: ${stats.outsideWindow} event(s) fell outside the ${days}-day event window before ${now} and were left out; pass --now with a time near the events to score them as of then\n`,
    );
  }
  return stats;
}

/**
 * The number of worker threads: every core by default; `--workers N` asks for N (at least 1), capped at
 * the number of cores with a note on stderr.
 * @param value - the flag's text, if given
 * @param io - where the note goes
 */
export function workers(value: string | undefined, io: CliIo): number {
  const cores = Math.max(1, availableParallelism());
  if (value === undefined) return cores;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new CliError(
      `--workers must be an integer ≥ 1 (at most the ${cores} cores), got ${JSON.stringify(value)}`,
    );
  }
  if (n > cores) {
    io.stderr.write(`recsys: note: --workers ${n} is more than the ${cores} cores; using ${cores}\n`);
    return cores;
  }
  return n;
}

/** How much output `--out` buffers before scoring waits for the disk. */
const OUTPUT_BUFFER_BYTES = 1 << 20;

/**
 * Where results go: `--out` or stdout. `write` returns a promise when the stream's buffer is full, which
 * holds back scoring until it drains (so output never piles up in memory).
 */
export async function output(
  values: ScoringValues,
  io: CliIo,
): Promise<{ write: (line: string) => Promise<void> | undefined; close: () => Promise<void> }> {
  const drainable = (stream: NodeJS.WritableStream) => (line: string) =>
    stream.write(line) ? undefined : once(stream, "drain").then(() => {});
  if (!values.out || values.out === "-") return { write: drainable(io.stdout), close: async () => {} };
  // Open first, so an unwritable path is one line naming it (exit 2), not a stream error later.
  let handle: FileHandle;
  try {
    handle = await open(values.out, "w");
  } catch (error) {
    throw new CliError(
      `cannot write --out ${values.out} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  // A buffer of many lines (a line with contents is ~9 KB; the default 16 KiB buffer filled every second
  // line, and scoring then waited on the disk for each): writes go out batched while scoring goes on.
  const stream = handle.createWriteStream({ highWaterMark: OUTPUT_BUFFER_BYTES });
  return {
    write: drainable(stream),
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.end(resolve);
      }),
  };
}
