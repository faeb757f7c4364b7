// Benchmark: the marginal cost of one more user in `recsys recommend --workers 1` on a generated
// 3,000 × 384 world with 1,000 users × 30 events, beside one exact scan of the same catalogue, in the same
// run. Marginal = (all users − one user) / 999, whole processes, best of 3 each (start-up and catalogue load
// cancel out). Run: pnpm --filter @recsys/cli bench:per-user (after pnpm build).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DotMatrix, normalized } from "@recsys/core/scoring";
import { BB_NOW, generateCatalog, generateEvents, serializeCatalog } from "@recsys/fakes";

const ITEMS = 3000;
const D = 384;
const USERS = 1000;
const dir = mkdtempSync(join(tmpdir(), "recsys-per-user-bench-"));
const points = generateCatalog({ items: ITEMS, dimension: D, seed: 21, themes: 60 });
const catalog = join(dir, "catalog.jsonl");
writeFileSync(catalog, serializeCatalog(points));
const events = join(dir, "events.jsonl");
const calls = generateEvents({ catalog: points, users: USERS, eventsPerUser: 30, endMs: BB_NOW, seed: 22 });
writeFileSync(events, calls.map((c) => JSON.stringify(c)).join("\n"));

const bin = join(import.meta.dirname, "..", "bin", "recsys");
function run(users: string[]): number {
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
      "1",
      ...users.flatMap((u) => ["--user", u]),
      "--out",
      join(dir, "out.jsonl"),
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return Number(process.hrtime.bigint() - started) / 1e6;
}
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
  `per-user cost, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${ITEMS} × ${D} catalogue, ${USERS} users, ${calls.length} events; best of 3 whole processes`,
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
rmSync(dir, { recursive: true, force: true });
