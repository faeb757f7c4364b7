// Benchmark: a packed catalogue served with its vectors held in memory (the float32 matrix) against the
// same catalogue with its vectors left in vectors.f32 (`openPackedContentStore`, rows read per request),
// both over the same saved HNSW index, alternating in one process. A serve-like batch per taste: the taste's
// vector query (60) and the negated taste's (70, the distractor, at low precision as the serve path asks),
// both with a 30-item exclusion set. Nothing
// is kept between batches (keptAnswers 0). Also the heap each store adds, after two collections.
// Run: pnpm --filter @recsys/fakes bench:vector-file (BENCH_ITEMS, default 100,000 × 384).
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import type { ContentQuery } from "@recsys/ports";
import {
  generateCatalog,
  InMemoryContentStore,
  openPackedContentStore,
  readCatalogWithIndex,
  writePackedCatalog,
} from "../src/index.js";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const D = 384;
const BATCHES = 300;
const ROUNDS = 5;
const work = mkdtempSync(join(tmpdir(), "recsys-vector-file-bench-"));
const packed = join(work, "packed");
{
  const points = generateCatalog({
    items: ITEMS,
    dimension: D,
    seed: 31,
    themes: Math.max(10, Math.round(ITEMS / 100)),
  });
  await writePackedCatalog(points, packed, { annIndex: true });
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const heapMb = async () => {
  gc();
  await new Promise((r) => setTimeout(r, 200));
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20 + process.memoryUsage().external / 2 ** 20;
};

const before = await heapMb();
const file = await openPackedContentStore(packed, { keptAnswers: 0 });
const fileMb = (await heapMb()) - before;
const { points, annIndexFile } = await readCatalogWithIndex(packed);
const held = InMemoryContentStore.fromPoints(points, {
  keptAnswers: 0,
  ...(annIndexFile ? { annIndexFile } : {}),
});
points.length = 0;
const heldMb = (await heapMb()) - before - fileMb;

// Tastes: the mean of three items' vectors; the exclusion set: 30 other items.
const ids = Array.from({ length: ITEMS }, (_, i) => String(i + 1));
const vectors = await held.getVectors(ids.slice(0, 3 * BATCHES));
const batches: ContentQuery[][] = [];
for (let b = 0; b < BATCHES; b++) {
  const taste = new Array<number>(D).fill(0);
  for (const id of ids.slice(3 * b, 3 * b + 3)) {
    const vector = vectors.get(id)!;
    for (let j = 0; j < D; j++) taste[j]! += vector[j]! / 3;
  }
  const exclude = new Set(ids.slice(1000 + 30 * b, 1000 + 30 * (b + 1)));
  batches.push([
    { kind: "vector", vector: taste, limit: 60, exclude },
    { kind: "vector", vector: taste.map((x) => -x), limit: 70, exclude, precision: "low" },
  ]);
}
const time = async (store: InMemoryContentStore) => {
  const started = performance.now();
  for (const batch of batches) await store.query(batch);
  return (performance.now() - started) / BATCHES;
};
const rows = { held: [] as number[], file: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  rows.held.push(await time(held));
  rows.file.push(await time(file));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(
  `vector file, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${ITEMS.toLocaleString("en")} × ${D}, ${held.vectorSearch}; ${BATCHES} batches × ${ROUNDS} alternating rounds (median)\n`,
);
console.table([
  {
    vectors: "held in memory (baseline)",
    "ms per batch": median(rows.held).toFixed(3),
    "× baseline": "1.00",
    "heap + external MB": heldMb.toFixed(0),
  },
  {
    vectors: "left in vectors.f32",
    "ms per batch": median(rows.file).toFixed(3),
    "× baseline": (median(rows.file) / median(rows.held)).toFixed(2),
    "heap + external MB": fileMb.toFixed(0),
  },
]);
rmSync(work, { recursive: true, force: true });
