// Benchmark: how cost grows with the catalogue. Generated catalogues of 1,000, 10,000 and 100,000 items ×
// 384 dimensions, packed (`recsys catalog pack`); for each: the service's catalogue load time and resident
// memory beside the raw float32 vector bytes, the vector search it runs (exact, or the HNSW index from
// 50,000 items), warm-recommend latency for a single client and throughput at 10 connections beside a
// bare route of the same process (one warm user, and 20,000 warm users in turn, so that nothing kept from one
// request serves the next), and `recsys recommend` users/s with 1 and 2 workers. For 100,000 items
// also recall@30 of the index against the exact scan. Writes docs/scaling.svg (the chart in BENCHMARKS.md)
// when it runs every size.
// Run: pnpm --filter @recsys/api bench:scale (after pnpm build, for the CLI rows).
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { normalized } from "@recsys/core/scoring";
import {
  BB_NOW,
  type CatalogPoint,
  generateCatalog,
  generateEvents,
  InMemoryContentStore,
  writePackedCatalog,
} from "@recsys/fakes";
import autocannon from "autocannon";
import {
  autocannonRequests,
  settle,
  startTarget,
  WARM_USERS,
  warmUserBodies,
  warmUsersInTurn,
  withServerCpu,
} from "./target-process.js";

const SIZES = (process.env.BENCH_ITEMS ?? "1000,10000,100000").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const D = 384;
const CLI_USERS = 300;
const work = mkdtempSync(join(tmpdir(), "recsys-scale-bench-"));
const cli = join(import.meta.dirname, "..", "..", "cli", "bin", "recsys");

/** Write a catalogue as JSON Lines, line by line (a 100k × 384 one does not fit in one string). */
async function writeJsonLines(points: readonly CatalogPoint[], path: string): Promise<void> {
  const out = createWriteStream(path);
  for (const p of points)
    if (!out.write(`${JSON.stringify({ id: p.id, vector: Array.from(p.vector), payload: p.payload })}\n`))
      await once(out, "drain");
  out.end();
  await once(out, "finish");
}

const load = (url: string, connections: number) =>
  autocannon({ url, connections, duration: SECONDS }).then((r) => r);

/** Recall@30 of the approximate index against the exact scan, over warm-user-like tastes. */
async function recallAt30(points: readonly CatalogPoint[]): Promise<number> {
  const exact = InMemoryContentStore.fromPoints(points, { annThreshold: Number.POSITIVE_INFINITY });
  const approximate = InMemoryContentStore.fromPoints(points, { annThreshold: 1 });
  let found = 0;
  let total = 0;
  for (let q = 0; q < 200; q++) {
    // A taste: the mean of three items' unit vectors.
    const taste = new Float32Array(D);
    for (const k of [q * 7919, q * 104729 + 1, q * 1299709 + 2])
      normalized(points[k % points.length]!.vector).forEach((x, j) => {
        taste[j]! += x / 3;
      });
    const query = [{ kind: "vector" as const, vector: taste, limit: 30 }];
    const [truth = []] = await exact.query(query);
    const [answer = []] = await approximate.query(query);
    const ids = new Set(truth.map((h) => h.id));
    found += answer.filter((h) => ids.has(h.id)).length;
    total += truth.length;
  }
  return found / total;
}

/** A process's resident memory, from /proc (Linux). */
const residentMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);

const SHIPPED_USERS = 2_000;

/**
 * How long the shipped server is left idle after start, at most, for its resident memory to settle: V8's
 * memory reducer collects and returns the load's garbage on its own once allocations stop, 10–25 s after
 * start in hand-run trials (232 → 150 MB at 100,000 items).
 */
const SETTLE_MAX_MS = 45_000;

/**
 * The built service as shipped (`node dist/server.js`, no benchmark code in it, no forced collection) on a
 * packed catalogue: its resident memory 3 s after it is healthy (the load's garbage still held), the lowest
 * while it stays idle (read every second, until it is 20 % below the first reading or for at most
 * {@link SETTLE_MAX_MS}) with when that was, and 3 s after 2,000 warm users were ingested and served in
 * turn for the row's duration at 10 connections.
 */
async function shippedRss(packed: string, points: readonly CatalogPoint[]) {
  const server = join(import.meta.dirname, "..", "dist", "server.js");
  const child = spawn(process.execPath, [server], {
    env: { ...process.env, PORT: "0", RECSYS_CATALOG: packed, REDIS_URL: "", QDRANT_API_URL: "" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    let url = /"url":"([^"]+)"/.exec(out)?.[1];
    while (!url) {
      await sleep(20);
      url = /"url":"([^"]+)"/.exec(out)?.[1];
    }
    const pid = child.pid!;
    await sleep(3000);
    const startMb = residentMb(pid);
    let settledMb = startMb;
    let settledS = 3;
    for (let waited = 3000; waited < SETTLE_MAX_MS && settledMb > 0.8 * startMb; ) {
      await sleep(1000);
      waited += 1000;
      const mb = residentMb(pid);
      if (mb < settledMb) {
        settledMb = mb;
        settledS = waited / 1000;
      }
    }
    const itemsOf = (u: number) => [0, 1, 2].map((i) => points[(u * 7919 + i * 104729) % points.length]!.id);
    for await (const body of warmUserBodies(SHIPPED_USERS, itemsOf, Date.now())) {
      const res = await fetch(`${url}/recsys/api/ingest`, { method: "POST", body });
      if (res.status !== 200) throw new Error(`shipped server ingest: ${res.status}`);
    }
    await autocannon({
      ...warmUsersInTurn(`${url}/recsys/api`, SHIPPED_USERS),
      connections: 10,
      duration: SECONDS,
    });
    await sleep(3000);
    return { startMb, settledMb, settledS, afterMb: residentMb(pid) };
  } finally {
    child.kill("SIGKILL");
  }
}

interface Row {
  items: number;
  search: string;
  loadMs: number;
  jsonLoadMs: number | null;
  rssMb: number;
  /** Resident memory after the load rows: the catalogue, plus 20,000 warm users' state and kept answers. */
  rssAfterMb: number;
  /** The shipped service's resident memory: at start, settled while idle (`settledS` s after start), after users. */
  shipped: { startMb: number; settledMb: number; settledS: number; afterMb: number };
  rawMb: number;
  p50Single: number;
  p99Single: number;
  rps10: number;
  /** The server's CPU time (every thread) per request at 10 connections, µs. */
  cpuPerRequest10: number;
  p99At10: number;
  /** Warm users in turn: one client's p50/p99, and req/s at 10 connections. */
  p50SingleTurn: number;
  p99SingleTurn: number;
  rps10Turn: number;
  bareRps: number;
  cli1: number | null;
  cli2: number | null;
  recall: number | null;
}

const rows: Row[] = [];
for (const items of SIZES) {
  const points = generateCatalog({
    items,
    dimension: D,
    seed: 31,
    themes: Math.max(10, Math.round(items / 100)),
  });
  const packed = join(work, `catalog-${items}`);
  await writePackedCatalog(points, packed);
  // Loading the same catalogue as JSON Lines (up to 10,000 items: 100,000 × 384 is some 800 MB of JSON).
  let jsonLoadMs: number | null = null;
  if (items <= 10_000) {
    const json = join(work, `catalog-${items}.jsonl`);
    await writeJsonLines(points, json);
    const { child, ports } = await startTarget({ RECSYS_CATALOG: json });
    jsonLoadMs = ports.loadMs;
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  const { child, ports } = await startTarget({ RECSYS_CATALOG: packed, BENCH_WARM_USERS: WARM_USERS });
  let row: Row;
  try {
    const base = `http://127.0.0.1:${ports.recsysPort}`;
    const warm = `${base}/recsys/api/recommend?user_id=bench-warm`;
    // Settle first (see `settle`): the rows measure code V8 has finished optimising.
    await settle(
      10,
      [
        { label: "warm user", seconds: 3, options: { url: warm } },
        {
          label: "users in turn",
          seconds: 3,
          options: warmUsersInTurn(`${base}/recsys/api`, ports.warmUsers),
        },
      ],
      ports.barePort,
    );
    const single = await load(warm, 1);
    const { result: ten, cpuPerRequest: cpuPerRequest10 } = await withServerCpu(
      ports.barePort,
      () => load(warm, 10),
      autocannonRequests,
    );
    // The same, users in turn (nothing kept from one user's request serves the next).
    const inTurn = warmUsersInTurn(`${base}/recsys/api`, ports.warmUsers);
    const singleTurn = await autocannon({ ...inTurn, connections: 1, duration: SECONDS });
    const tenTurn = await autocannon({ ...inTurn, connections: 10, duration: SECONDS });
    const bare = await load(`http://127.0.0.1:${ports.barePort}/hello`, 10);
    const after = (await (await fetch(`http://127.0.0.1:${ports.barePort}/rss`)).json()) as { rssMb: number };
    row = {
      items,
      search: /usearch/.test(ports.stores) ? "HNSW (usearch)" : "exact (kernel)",
      loadMs: ports.loadMs,
      jsonLoadMs,
      rssMb: ports.rssMb,
      rssAfterMb: after.rssMb,
      shipped: { startMb: 0, settledMb: 0, settledS: 0, afterMb: 0 },
      rawMb: (items * D * 4) / 2 ** 20,
      p50Single: single.latency.p50,
      p99Single: single.latency.p99,
      rps10: ten.requests.average,
      cpuPerRequest10,
      p99At10: ten.latency.p99,
      p50SingleTurn: singleTurn.latency.p50,
      p99SingleTurn: singleTurn.latency.p99,
      rps10Turn: tenTurn.requests.average,
      bareRps: bare.requests.average,
      cli1: null,
      cli2: null,
      recall: null,
    };
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  // The CLI over the same packed catalogue: CLI_USERS users × 30 calls, whole process.
  const events = join(work, `events-${items}.jsonl`);
  const calls = generateEvents({
    catalog: points,
    users: CLI_USERS,
    eventsPerUser: 30,
    endMs: BB_NOW,
    seed: 32,
  });
  writeFileSync(events, calls.map((c) => JSON.stringify(c)).join("\n"));
  for (const workers of [1, 2]) {
    const started = performance.now();
    const result = spawnSync(
      cli,
      [
        "recommend",
        "--catalog",
        packed,
        "--events",
        events,
        "--now",
        new Date(BB_NOW).toISOString(),
        "--workers",
        String(workers),
        "--out",
        join(work, "out.jsonl"),
      ],
      { encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(result.stderr);
    const usersPerSecond = CLI_USERS / ((performance.now() - started) / 1000);
    if (workers === 1) row.cli1 = usersPerSecond;
    else row.cli2 = usersPerSecond;
  }
  row.shipped = await shippedRss(packed, points);
  if (items >= 50_000) row.recall = await recallAt30(points);
  rows.push(row);
}
rmSync(work, { recursive: true, force: true });

process.stdout.write(
  `scale, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; packed catalogues × ${D}; warm recommend ${SECONDS} s per row; CLI ${CLI_USERS} users × 30 calls, whole process\n`,
);
console.table(
  rows.map((r) => ({
    items: r.items.toLocaleString("en"),
    "vector search": r.search,
    "load ms (packed)": r.loadMs,
    "load ms (JSON)": r.jsonLoadMs ?? "—",
    "RSS MB": r.rssMb,
    "raw vectors MB": r.rawMb.toFixed(1),
    "RSS × raw": (r.rssMb / r.rawMb).toFixed(2),
    [`RSS MB after load (+ ${Number(WARM_USERS).toLocaleString("en")} users)`]: r.rssAfterMb,
    "shipped server RSS MB, start / idle (after s) / after 2,000 users": `${r.shipped.startMb} / ${r.shipped.settledMb} (${r.shipped.settledS} s) / ${r.shipped.afterMb}`,
    "shipped × raw, start / idle / after": [r.shipped.startMb, r.shipped.settledMb, r.shipped.afterMb]
      .map((mb) => (mb / r.rawMb).toFixed(2))
      .join(" / "),
    "single client p50 / p99 ms": `${r.p50Single} / ${r.p99Single}`,
    "req/s at 10 conn.": Math.round(r.rps10),
    "p99 ms at 10": r.p99At10,
    "× bare": (r.rps10 / r.bareRps).toFixed(3),
    "server CPU µs/req at 10": Math.round(r.cpuPerRequest10),
    "users in turn: one client p50 / p99 ms": `${r.p50SingleTurn} / ${r.p99SingleTurn}`,
    "users in turn: req/s at 10": Math.round(r.rps10Turn),
    "CLI users/s, 1 / 2 workers": `${r.cli1?.toFixed(0)} / ${r.cli2?.toFixed(0)}`,
    "recall@30": r.recall === null ? "—" : r.recall.toFixed(4),
  })),
);

/** The chart: per catalogue size (log scale), warm-recommend p99 for one client and ms per request at 10 connections. */
function chart(data: readonly Row[]): string {
  const W = 700;
  const H = 360;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 60;
  const xs = data.map((r) => Math.log10(r.items));
  const series = [
    { name: "p99, one client (ms)", color: "#2563eb", values: data.map((r) => r.p99Single) },
    { name: "ms per request at 10 conn.", color: "#dc2626", values: data.map((r) => 1000 / r.rps10) },
    {
      name: "the same, users in turn",
      color: "#f59e0b",
      values: data.map((r) => 1000 / r.rps10Turn),
    },
    { name: "RSS ÷ 100 MB", color: "#16a34a", values: data.map((r) => r.rssMb / 100) },
  ];
  const all = series.flatMap((s) => s.values).filter((v) => v > 0);
  const yMin = Math.floor(Math.log10(Math.min(...all, 0.1)));
  const yMax = Math.ceil(Math.log10(Math.max(...all, 1)));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const x = (v: number) => left + ((v - xMin) / Math.max(xMax - xMin, 1)) * (W - left - right);
  const y = (v: number) =>
    top + ((yMax - Math.log10(Math.max(v, 10 ** yMin))) / (yMax - yMin)) * (H - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    "<title>Warm recommend latency, throughput and memory as the catalogue grows</title>",
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">Warm recommend as the catalogue grows (log–log)</text>`,
  ];
  for (let e = yMin; e <= yMax; e++) {
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#e5e7eb"/>`);
    out.push(
      `<text x="${left - 8}" y="${y(10 ** e) + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}</text>`,
    );
  }
  data.forEach((r, i) => {
    out.push(
      `<text x="${x(xs[i]!)}" y="${H - bottom + 18}" text-anchor="middle">${r.items.toLocaleString("en")} items</text>`,
    );
    out.push(
      `<text x="${x(xs[i]!)}" y="${H - bottom + 34}" text-anchor="middle" fill="#6b7280">${r.search}</text>`,
    );
  });
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => `${x(xs[i]!).toFixed(1)},${y(v).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(" ")}"/>`);
    for (const p of pts)
      out.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3.5" fill="${s.color}"/>`);
    out.push(`<rect x="${W - right + 12}" y="${top + k * 22}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${W - right + 30}" y="${top + k * 22 + 10}">${s.name}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
// The chart in BENCHMARKS.md is of the full run: a run of some sizes (BENCH_ITEMS) writes its chart beside
// the table of its own, in the temporary directory, and leaves docs/scaling.svg alone.
const full = !process.env.BENCH_ITEMS;
const svgPath = full
  ? join(import.meta.dirname, "..", "..", "..", "docs", "scaling.svg")
  : join(tmpdir(), `recsys-scaling-${process.pid}.svg`);
writeFileSync(svgPath, chart(rows));
process.stdout.write(
  `chart: ${svgPath}${full ? "" : " (some sizes only: docs/scaling.svg left as it was)"}\n`,
);
