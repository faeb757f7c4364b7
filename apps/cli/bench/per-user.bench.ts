// Benchmark: the marginal cost of one more user in `recsys recommend --workers 1` on a generated
// 3,000 × 384 world with 1,000 users × 30 events, beside one exact scan of the same catalogue, in the same
// run. Marginal = (all users − one user) / 999, whole processes, best of 3 each (start-up and catalogue load
// cancel out). Run: pnpm --filter @recsys/cli bench:per-user (after pnpm build).
import { rmSync } from "node:fs";
import { cpus } from "node:os";
import { DotMatrix, normalized } from "@recsys/core/scoring";
import { runRecommend, writeWorld } from "./world.js";

const ITEMS = 3000;
const D = 384;
const USERS = 1000;
const world = writeWorld(ITEMS, USERS, 30);
const { points } = world;
const run = (users: string[]) =>
  runRecommend(world, ["--workers", "1", ...users.flatMap((u) => ["--user", u])]);
const best = (f: () => number) => Math.min(f(), f(), f());
const one = best(() => run(["user-1"]));
const all = best(() => run([]));
const marginal = (all - one) / (USERS - 1);

// One exact scan of the same catalogue, with the embedded store's kernel.
const matrix = new DotMatrix(ITEMS, D);
points.forEach((p, i) => {
  matrix.data.set(normalized(p.vector), i * D);
});
const query = normalized(points[0]!.vector);
for (let i = 0; i < 20; i++) matrix.dotAll(query);
const scans: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  matrix.dotAll(query);
  scans.push(performance.now() - t);
}
scans.sort((a, b) => a - b);
const scan = scans[100]!;
console.log(
  `per-user cost, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${ITEMS} × ${D} catalogue, ${USERS} users, ${world.calls} events; best of 3 whole processes`,
);
console.table([
  {
    "one user, ms": one.toFixed(0),
    "all users, ms": all.toFixed(0),
    "marginal ms per user": marginal.toFixed(3),
    "one exact scan ms (kernel)": scan.toFixed(3),
    "marginal × scan": (marginal / scan).toFixed(2),
    "goal ≤": "1.50",
  },
]);
rmSync(world.dir, { recursive: true, force: true });
