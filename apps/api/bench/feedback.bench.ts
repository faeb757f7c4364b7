// Benchmark: what learning from feedback costs a warm recommend: the served list recorded (served log +
// impressions) against not recorded, and the bandit ranking policy against the static one, each beside a
// bare Hono route measured in the same process, on the embedded default and on Redis, in the same run.
// Run: pnpm --filter @recsys/api bench:feedback
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { startRedisServer } from "@recsys/adapters-redis/testing";
import autocannon from "autocannon";
import { startTarget } from "./target-process.js";

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;

async function load(url: string): Promise<autocannon.Result> {
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up, not reported
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION });
}

const VARIANTS: [string, Record<string, string>][] = [
  ["static, served list not recorded (baseline)", { BENCH_SERVED_LOG: "off" }],
  ["static, served log + impressions", {}],
  ["bandit (LinUCB, exploring), served log + impressions", { RECSYS_RANKING_MODE: "bandit" }],
];

const redis = await startRedisServer();
const rows: Record<string, string | number>[] = [];
for (const [stores, storeEnv] of [
  ["embedded (BB dev fixtures)", {}],
  ["Redis buffer, models, feedback", { REDIS_URL: redis.url }],
] as const) {
  let baseline = 0;
  for (const [name, env] of VARIANTS) {
    const { child, ports } = await startTarget({ ...storeEnv, ...env });
    try {
      const bare = await load(`http://127.0.0.1:${ports.barePort}/hello`);
      const warm = await load(`http://127.0.0.1:${ports.recsysPort}/recsys/api/recommend?user_id=bench-warm`);
      if (baseline === 0) baseline = warm.requests.average;
      rows.push({
        stores,
        variant: name,
        "req/s": Math.round(warm.requests.average),
        "× bare (same process)": (warm.requests.average / bare.requests.average).toFixed(3),
        "× baseline variant": (warm.requests.average / baseline).toFixed(3),
        "p50 ms": warm.latency.p50,
        "p99 ms": warm.latency.p99,
        "non-2xx": warm.non2xx + warm.errors,
      });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
}
// Ingest: 100-event batches (10 visitors × 5 views), the operator read models recorded or not, and the
// durable event log (RECSYS_EVENT_LOG_DIR, fdatasync before every answer) on top.
function ingestBody(counter: number): string {
  const events: unknown[] = [];
  const now = Date.now();
  for (let u = 0; u < 10; u++)
    for (let v = 0; v < 5; v++) {
      const content = { content_id: `content_${101 + v}` };
      const start = now - (v + 1) * 60_000;
      const userId = `load-${counter}-${u}`;
      events.push({
        type: "track",
        event: "CONTENT_VIEW_STARTED",
        userId,
        timestamp: new Date(start).toISOString(),
        properties: { content },
      });
      events.push({
        type: "track",
        event: "CONTENT_VIEW_ENDED",
        userId,
        timestamp: new Date(start + 30_000).toISOString(),
        properties: { content, details: { dwell_seconds: 30, reason: "next_button" } },
      });
    }
  return JSON.stringify(events);
}
const ingestRows: Record<string, string | number>[] = [];
for (const [stores, storeEnv] of [
  ["embedded (BB dev fixtures)", {}],
  ["Redis buffer, models, feedback", { REDIS_URL: redis.url }],
] as const) {
  let baseline = 0;
  for (const [name, env] of [
    ["read models not recorded (baseline)", { BENCH_ACTIVITY: "off" }],
    ["read models recorded", {}],
    [
      "read models + durable event log (synced)",
      { RECSYS_EVENT_LOG_DIR: mkdtempSync(join(tmpdir(), "recsys-bench-log-")) },
    ],
  ] as const) {
    const { child, ports } = await startTarget({ ...storeEnv, ...env });
    try {
      let counter = 0;
      const options = {
        url: `http://127.0.0.1:${ports.recsysPort}/recsys/api/ingest`,
        method: "POST" as const,
        headers: { "content-type": "application/json" },
        connections: CONNECTIONS,
        requests: [{ setupRequest: (req: object) => ({ ...req, body: ingestBody(counter++) }) }],
      };
      await autocannon({ ...options, duration: 1 });
      const r = await autocannon({ ...options, duration: DURATION });
      if (baseline === 0) baseline = r.requests.average;
      ingestRows.push({
        stores,
        variant: name,
        "events/s": Math.round(r.requests.average * 100),
        "× baseline variant": (r.requests.average / baseline).toFixed(3),
        "p50 ms": r.latency.p50,
        "p99 ms": r.latency.p99,
        "non-2xx": r.non2xx + r.errors,
      });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
      // The durable event log it wrote (hundreds of MB over a run) goes with it.
      if ("RECSYS_EVENT_LOG_DIR" in env) rmSync(env.RECSYS_EVENT_LOG_DIR, { recursive: true, force: true });
    }
  }
}
await redis.stop();
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ${CONNECTIONS} connections, ${DURATION} s per row`,
);
console.table(rows);
console.table(ingestRows);
