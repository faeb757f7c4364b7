// Instructions benchmark: the instructions the service runs per ingest body, per warm recommend (one user
// asked again, and users in turn each asked once) and per /health request, counted by valgrind
// (cachegrind, no cache simulation) in one single-threaded Node process with a predictable collection
// schedule and no full collections (scavenges included), on the embedded stores and, when a redis-server
// can be started, on Redis stores. Each unit is also given without the instructions of V8's optimizing
// compilers: single-threaded, they compile on the main thread, and code still being optimized (or
// optimized again after a deoptimisation) hundreds of requests after the warm-up made 23 % of a request of
// users in turn and 58 % of one on Redis; a service compiles on a background thread. A count does not move
// with whatever else the shared machine runs, as throughput and CPU time do (±10 % between identical runs
// here); identical code in two checkouts agreed within 0.5–6 % (the lightest unit, /health, the least;
// before the fixed schedule), so it resolves differences of several per cent between two builds: run it
// in both checkouts with the same counts and compare. Not a throughput: the requests go through
// `app.request` in process (no sockets), and time also depends on memory, caches and full collections.
// Run: pnpm --filter @recsys/api bench:instructions (after pnpm build; needs valgrind).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { startRedisServer } from "@recsys/adapters-redis/testing";
import { type Count, countsOf } from "./cachegrind.js";

const run = promisify(execFile);
const target = join(import.meta.dirname, "instructions-target.mjs");

/** Instructions of one run of the target (`kind`, `count` units), start-up included. */
async function instructions(kind: string, count: number): Promise<Count> {
  const out = join(mkdtempSync(join(tmpdir(), "recsys-cachegrind-")), "out");
  try {
    await run(
      "valgrind",
      [
        "--tool=cachegrind",
        "--cache-sim=no",
        `--cachegrind-out-file=${out}`,
        "--smc-check=all",
        process.execPath,
        "--single-threaded",
        // Collections on a fixed schedule (heap growth, idle and memory-reducing work not timed by the
        // clock), and an old generation large enough that no full collection runs at all: whether one falls
        // inside the counted units or just outside them moved the unit of users in turn between 1.3 and
        // 2.4 M instructions a request for the same code. Scavenges are counted; full collections are not.
        "--predictable-gc-schedule",
        "--initial-old-space-size=1024",
        target,
        kind,
        String(count),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return countsOf(readFileSync(out, "utf8"));
  } finally {
    rmSync(dirname(out), { recursive: true, force: true });
  }
}

try {
  await run("valgrind", ["--version"]);
} catch {
  console.log("instructions benchmark: valgrind is not installed here; nothing measured");
  process.exit(0);
}

const units = { health: 4000, recommend: 1500, turn: 500, ingest: 300 } as const;
/** The same units on Redis stores (a redis-server on loopback started here), when one can be started. */
const redisUnits = { "redis-turn": 500, "redis-ingest": 300 } as const;
const rows: { kind: string; units: number; perUnit: Count }[] = [];
const measure = async (kind: string, count: number) => {
  // `count` units, then twice as many: the difference is `count` units once the code is compiled and
  // warm (start-up, and the compilation the first units pay for, cancel out). Side by side (two cores).
  const [once, twice] = await Promise.all([instructions(kind, count), instructions(kind, 2 * count)]);
  rows.push({
    kind,
    units: count,
    perUnit: { all: (twice.all - once.all) / count, compiler: (twice.compiler - once.compiler) / count },
  });
};
for (const [kind, count] of Object.entries(units)) await measure(kind, count);
const redis = await startRedisServer().catch(() => null);
if (redis) {
  process.env.REDIS_URL = redis.url;
  try {
    for (const [kind, count] of Object.entries(redisUnits)) await measure(kind, count);
  } finally {
    await redis.stop();
  }
} else console.log("no redis-server here: the Redis units are not measured");
const LABELS = {
  health: "GET /health (baseline)",
  recommend: "GET /recommend (warm user)",
  turn: "GET /recommend (warm users in turn, each asked once)",
  ingest: "POST /ingest (100 events, 10 new users)",
  "redis-turn": "Redis: GET /recommend (warm users in turn)",
  "redis-ingest": "Redis: POST /ingest (100 events, 10 new users)",
} as const satisfies Record<keyof typeof units | keyof typeof redisUnits, string>;
const health = rows.find((row) => row.kind === "health")!.perUnit;
const work = (count: Count) => count.all - count.compiler;
console.log(
  `instructions per unit, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; BB dev fixtures, in process, valgrind cachegrind, node --single-threaded --predictable-gc-schedule --initial-old-space-size=1024 (no full collections); "without compiling": less the instructions of V8's optimizing compilers (on the main thread here; on a background thread in a service)`,
);
console.table(
  rows.map((row) => ({
    unit: LABELS[row.kind as keyof typeof LABELS],
    units: row.units,
    "instructions per unit (millions)": (row.perUnit.all / 1e6).toFixed(3),
    "of them compiling": (row.perUnit.compiler / 1e6).toFixed(3),
    "without compiling": (work(row.perUnit) / 1e6).toFixed(3),
    "× /health, without compiling": (work(row.perUnit) / work(health)).toFixed(2),
  })),
);
