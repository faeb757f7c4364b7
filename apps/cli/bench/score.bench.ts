// Benchmark: users scored per second by `recsys recommend` on a 5,000-item, 384-dimension catalogue with
// 2,000 users × 40 events, with one worker (the baseline) and with every core, in the same run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { BB_NOW, generateCatalog, generateEvents, serializeCatalog } from "@recsys/fakes";

const dir = mkdtempSync(join(tmpdir(), "recsys-score-bench-"));
const points = generateCatalog({ items: 5000, dimension: 384, seed: 21, themes: 60 });
const catalog = join(dir, "catalog.jsonl");
writeFileSync(catalog, serializeCatalog(points));
const events = join(dir, "events.jsonl");
const calls = generateEvents({ catalog: points, users: 2000, eventsPerUser: 40, endMs: BB_NOW, seed: 22 });
writeFileSync(events, calls.map((c) => JSON.stringify(c)).join("\n"));

const bin = join(import.meta.dirname, "..", "bin", "recsys");
const cores = availableParallelism();
const rows: { workers: number; seconds: number; usersPerSecond: number }[] = [];
for (const workers of [1, cores, 1, cores]) {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    bin,
    [
      "recommend",
      "--catalog",
      catalog,
      "--events",
      events,
      "--now",
      new Date(BB_NOW).toISOString(),
      "--seed",
      "1",
      "--workers",
      String(workers),
      "--out",
      join(dir, `out-${workers}.jsonl`),
    ],
    { encoding: "utf8" },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(result.stderr);
  rows.push({ workers, seconds, usersPerSecond: 2000 / seconds });
}
const best = (w: number) =>
  rows.filter((r) => r.workers === w).reduce((a, b) => (a.seconds < b.seconds ? a : b));
const base = best(1);
console.log(
  `machine: ${cores} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}; ${calls.length} events, 2000 users, 5000 × 384 catalogue; best of 2 runs, whole process (start-up and catalogue load included)`,
);
console.table(
  [best(1), best(cores)].map((r) => ({
    workers: r.workers,
    "wall s": r.seconds.toFixed(2),
    "users/s": r.usersPerSecond.toFixed(0),
    "× 1 worker": (r.usersPerSecond / base.usersPerSecond).toFixed(2),
  })),
);
rmSync(dir, { recursive: true, force: true });
