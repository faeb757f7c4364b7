// Benchmark: users scored per second by `recsys recommend` on a 5,000-item, 384-dimension catalogue with
// 2,000 users × 40 events, with one worker (the baseline) and with every core, in the same run.
import { rmSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { runRecommend, writeWorld } from "./world.js";

const world = writeWorld(5000, 2000, 40);
const cores = availableParallelism();
const rows: { workers: number; seconds: number; usersPerSecond: number }[] = [];
for (const workers of [1, cores, 1, cores]) {
  const seconds = runRecommend(world, ["--workers", String(workers)]) / 1000;
  rows.push({ workers, seconds, usersPerSecond: 2000 / seconds });
}
const best = (w: number) =>
  rows.filter((r) => r.workers === w).reduce((a, b) => (a.seconds < b.seconds ? a : b));
const base = best(1);
console.log(
  `machine: ${cores} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}; ${world.calls} events, 2000 users, 5000 × 384 catalogue; best of 2 runs, whole process (start-up and catalogue load included)`,
);
console.table(
  [best(1), best(cores)].map((r) => ({
    workers: r.workers,
    "wall s": r.seconds.toFixed(2),
    "users/s": r.usersPerSecond.toFixed(0),
    "× 1 worker": (r.usersPerSecond / base.usersPerSecond).toFixed(2),
  })),
);
rmSync(world.dir, { recursive: true, force: true });
