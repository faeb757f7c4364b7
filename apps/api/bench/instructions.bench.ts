// Instructions benchmark: the instructions the service runs per ingest body, per warm recommend (one user
// asked again, and users in turn each asked once) and per /health request, counted by valgrind
// (cachegrind, no cache simulation) in one single-threaded Node process with a predictable collection
// schedule and no full collections (scavenges and compilation included). A count does not move with
// whatever else the shared machine runs, as throughput and CPU time do (±10 % between identical runs
// here); identical code in two checkouts agreed within 0.5–6 % (the lightest unit, /health, the least;
// before the fixed schedule), so it resolves differences of several per cent between two builds: run it
// in both checkouts with the same counts and compare. Not a throughput: the requests go through
// `app.request` in process (no sockets), and time also depends on memory, caches and full collections.
// Run: pnpm --filter @recsys/api bench:instructions (after pnpm build; needs valgrind).
import { execFile } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const target = join(import.meta.dirname, "instructions-target.mjs");

/** Instructions of one run of the target (`kind`, `count` units), start-up included. */
async function instructions(kind: string, count: number): Promise<number> {
  const { stderr } = await run(
    "valgrind",
    [
      "--tool=cachegrind",
      "--cache-sim=no",
      "--cachegrind-out-file=/dev/null",
      "--smc-check=all",
      process.execPath,
      "--single-threaded",
      // Collections on a fixed schedule (heap growth, idle and memory-reducing work not timed by the clock),
      // and an old generation large enough that no full collection runs at all: whether one falls inside
      // the counted units or just outside them moved the unit of users in turn between 1.3 and 2.4 M
      // instructions a request for the same code. Scavenges are counted; full collections are not.
      "--predictable-gc-schedule",
      "--initial-old-space-size=1024",
      target,
      kind,
      String(count),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const match = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (!match) throw new Error(`no instruction count from valgrind:\n${stderr.slice(-2000)}`);
  return Number(match[1]!.replaceAll(",", ""));
}

try {
  await run("valgrind", ["--version"]);
} catch {
  console.log("instructions benchmark: valgrind is not installed here; nothing measured");
  process.exit(0);
}

const units = { health: 4000, recommend: 1500, turn: 500, ingest: 300 } as const;
const rows: { kind: string; units: number; perUnit: number }[] = [];
for (const [kind, count] of Object.entries(units)) {
  // `count` units, then twice as many: the difference is `count` units once the code is compiled and
  // warm (start-up, and the compilation the first units pay for, cancel out). Side by side (two cores).
  const [once, twice] = await Promise.all([instructions(kind, count), instructions(kind, 2 * count)]);
  rows.push({ kind, units: count, perUnit: (twice - once) / count });
}
const LABELS = {
  health: "GET /health (baseline)",
  recommend: "GET /recommend (warm user)",
  turn: "GET /recommend (warm users in turn, each asked once)",
  ingest: "POST /ingest (100 events, 10 new users)",
} as const satisfies Record<keyof typeof units, string>;
const health = rows.find((row) => row.kind === "health")!.perUnit;
console.log(
  `instructions per unit, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; BB dev fixtures, in process, valgrind cachegrind, node --single-threaded --predictable-gc-schedule --initial-old-space-size=1024 (no full collections)`,
);
console.table(
  rows.map((row) => ({
    unit: LABELS[row.kind as keyof typeof units],
    units: row.units,
    "instructions per unit (millions)": (row.perUnit / 1e6).toFixed(3),
    "× /health": (row.perUnit / health).toFixed(2),
  })),
);
