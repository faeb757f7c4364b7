// Benchmark: peak memory of `recsys recommend` on a big events file (default 1 GB of RudderStack calls;
// RECSYS_BENCH_EVENTS_MB sets the size), beside the same command on a tiny file (start-up, catalogue and
// worker threads only) measured in the same run. Needs GNU time (/usr/bin/time, Debian package `time`).
// Run: pnpm --filter @recsys/cli bench:memory
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { BB_NOW, generateCatalog, generateEvents, serializeCatalog } from "@recsys/fakes";

if (!existsSync("/usr/bin/time")) {
  console.error("memory bench: needs GNU time at /usr/bin/time (apt-get install time)");
  process.exit(1);
}
const targetBytes = Number(process.env.RECSYS_BENCH_EVENTS_MB ?? 1024) * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "recsys-memory-bench-"));
const points = generateCatalog({ items: 500, dimension: 32, seed: 21, themes: 40 });
const catalog = join(dir, "catalog.jsonl");
writeFileSync(catalog, serializeCatalog(points));

// Users in chunks of 1,000 (each chunk its own seed and id prefix), 40 views each, until the target size.
const events = join(dir, "events.jsonl");
const out = createWriteStream(events);
let users = 0;
let calls = 0;
for (let chunk = 0; out.bytesWritten + out.writableLength < targetBytes; chunk++) {
  const batch = generateEvents({
    catalog: points,
    users: 1000,
    eventsPerUser: 40,
    endMs: BB_NOW,
    seed: 100 + chunk,
  });
  const text = batch.map((c) => JSON.stringify(c).replace('"userId":"user-', `"userId":"c${chunk}-user-`));
  if (!out.write(`${text.join("\n")}\n`)) await once(out, "drain");
  users += 1000;
  calls += batch.length;
}
out.end();
await once(out, "finish");
const tiny = join(dir, "tiny.jsonl");
writeFileSync(
  tiny,
  `${JSON.stringify(generateEvents({ catalog: points, users: 200, eventsPerUser: 40, endMs: BB_NOW, seed: 1 }))}\n`,
);

const bin = join(import.meta.dirname, "..", "bin", "recsys");
const cores = availableParallelism();
function measure(file: string, budget: number, workers: number) {
  const args = ["recommend", "--catalog", catalog, "--events", file, "--now", new Date(BB_NOW).toISOString()];
  args.push("--seed", "1", "--memory-budget", String(budget), "--workers", String(workers));
  args.push("--tmp-dir", dir, "--out", join(dir, "out.jsonl"));
  const result = spawnSync("/usr/bin/time", ["-f", "%M %e", bin, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  const [kb, seconds] = result.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { rssMb: kb! / 1024, seconds: seconds! };
}

const size = statSync(events).size;
console.log(
  `machine: ${cores} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}; events file ${(size / 1e6).toFixed(0)} MB, ${calls} calls, ${users} users; catalogue 500 × 32`,
);
const rows = [];
for (const workers of [cores, 1]) {
  const base = measure(tiny, 128, workers);
  rows.push({
    file: "200 users (baseline)",
    budget: 128,
    workers,
    "peak RSS MB": base.rssMb.toFixed(0),
    "wall s": base.seconds.toFixed(1),
    "× baseline": "1.00",
  });
  for (const budget of [128, 64]) {
    const big = measure(events, budget, workers);
    rows.push({
      file: `${(size / 1e9).toFixed(2)} GB`,
      budget,
      workers,
      "peak RSS MB": big.rssMb.toFixed(0),
      "wall s": big.seconds.toFixed(1),
      "× baseline": (big.rssMb / base.rssMb).toFixed(2),
    });
  }
}
console.table(rows);
rmSync(dir, { recursive: true, force: true });
