// Benchmark: what learning from feedback costs a warm recommend: the served list recorded (served log +
// impressions) against not recorded, and the bandit ranking policy against the static one, each beside a
// bare Hono route measured in the same process, on the embedded default and on Redis, in the same run.
// Run: pnpm --filter @recsys/api bench:feedback
import { once } from "node:events";
import { cpus, totalmem } from "node:os";
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
await redis.stop();
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ${CONNECTIONS} connections, ${DURATION} s per row`,
);
console.table(rows);
