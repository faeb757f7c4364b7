// Benchmark: recommendForSignals on a 10,000-item, 384-dimension catalogue with a 60-item pool (30 per
// generator), beside one brute-force cosine scan of the catalogue measured in the same run.
import { createSeededRandom, Recommender, resolveConfig } from "@recsys/core";
import { normalized } from "@recsys/core/scoring";
import { emptyUserSignals, type UserSignals } from "@recsys/ports";
import { Bench } from "tinybench";
import { generateCatalog } from "../src/generate.js";
import { InMemoryContentStore } from "../src/in-memory-content-store.js";
import { InMemoryUserModelStore } from "../src/in-memory-user-model-store.js";

const ITEMS = 10_000;
const DIM = 384;
const points = generateCatalog({ items: ITEMS, dimension: DIM, seed: 42 });
const store = InMemoryContentStore.fromPoints(points, { random: createSeededRandom(1) });
const cfg = resolveConfig({ pool_per_generator: 30 });
const recommender = new Recommender({
  contentStore: store,
  modelStore: new InMemoryUserModelStore(),
  cfg,
  random: createSeededRandom(2),
});

// A warm user: 10 liked items of two themes, taste = their normalised centroid, 20 affinity keys.
const liked = points
  .filter((p) => ["Theme 3", "Theme 7"].includes((p.payload.tags as { label: string }[])[0]!.label))
  .slice(0, 10);
const taste = new Float64Array(DIM);
for (const p of liked) for (let i = 0; i < DIM; i++) taste[i]! += p.vector[i]!;
const affinity: Record<string, number> = {};
for (const p of liked)
  for (const key of p.payload.tag_labels as string[]) affinity[key] = (affinity[key] ?? 0) + 1;
const signals: UserSignals = {
  ...emptyUserSignals("bench"),
  positives: Object.fromEntries(liked.map((p) => [p.id, 0.7])),
  viewed: liked.map((p) => p.id).sort(),
  recent_views: liked.map((p) => p.id),
  tag_affinity: Object.fromEntries(Object.entries(affinity).slice(0, 20)),
  taste_vector: Array.from(normalized(taste)),
  recency_vector: Array.from(liked[0]!.vector),
};

// Baseline: one brute-force cosine scan of the whole catalogue (what an exact vector search costs).
const matrix = new Float32Array(ITEMS * DIM);
points.forEach((p, i) => {
  matrix.set(normalized(p.vector), i * DIM);
});
const query = normalized(taste);
let sink = 0;
function scan(): void {
  let best = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < ITEMS; r++) {
    let dot = 0;
    const offset = r * DIM;
    for (let j = 0; j < DIM; j++) dot += query[j]! * matrix[offset + j]!;
    if (dot > best) best = dot;
  }
  sink += best;
}

const first = await recommender.recommendForSignals(signals);
if (first.diagnostics.pool_size < 50) throw new Error(`pool too small: ${first.diagnostics.pool_size}`);

const bench = new Bench({ time: 2000, warmup: true, warmupTime: 300 });
bench.add("brute-force scan of 10k × 384 (baseline)", scan);
bench.add("recommendForSignals (warm, pool 60, distractor on)", async () => {
  await recommender.recommendForSignals(signals);
});
bench.add("recommendForSignals (cold, random sample)", async () => {
  await recommender.recommendForSignals(emptyUserSignals("cold"));
});
await bench.run();

const rows = bench.tasks.map((task) => {
  const r = task.result as unknown as {
    latency: { mean: number; p99: number };
    throughput: { mean: number };
  };
  return { name: task.name, meanMs: r.latency.mean, p99Ms: r.latency.p99 };
});
const base = rows[0]!.meanMs;
console.log(`catalogue ${ITEMS} × ${DIM}, pool ${first.diagnostics.pool_size}, node ${process.version}`);
console.table(
  rows.map((r) => ({
    task: r.name,
    "mean ms": r.meanMs.toFixed(3),
    "p99 ms": r.p99Ms.toFixed(3),
    "× baseline": (r.meanMs / base).toFixed(2),
  })),
);
if (sink === 42) console.log("");
