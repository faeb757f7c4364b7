// Benchmark: the noisy neighbour. One service process (the real server entry point) with two tenants:
// `quiet` is served warm recommendations at a fixed rate, alone, and then while `noisy` floods ingest with
// 100-event batches — at its rate limit, at twice it (half refused with 429), and with no limit at all (the
// control: what the limit buys). Each row reports quiet's recommend p99 beside its quiet value of the same
// run, on the embedded default and on Redis. Run: pnpm --filter @recsys/api bench:tenants
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, openSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createRedisClient, waitUntilReady } from "@recsys/adapters-redis";
import { startRedisServer } from "@recsys/adapters-redis/testing";
import { rudderstackViews } from "@recsys/fakes";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Rounds of (alone, with noise), interleaved; each p99 reported is the median over the rounds. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const QUIET_RATE = 200; // recommend requests per second of the quiet tenant
const LIMIT = 20; // the noisy tenant's rate limit, requests per second (2,000 events/s in 100-event batches)
const GLOBAL = "bench-global-key-0123456789";
const QUIET_KEY = "bench-quiet-key-0123456789";
const NOISY_KEY = "bench-noisy-key-0123456789";

const work = mkdtempSync(join(tmpdir(), "recsys-bench-tenants-"));

function registry(limited: boolean): string {
  const path = join(work, `tenants-${limited ? "limited" : "open"}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      tenants: [
        { id: "quiet", api_keys: [QUIET_KEY] },
        {
          id: "noisy",
          api_keys: [NOISY_KEY],
          rate_limit: limited ? { requests_per_second: LIMIT, burst: LIMIT } : null,
        },
      ],
    }),
  );
  return path;
}

/** A free loopback port. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

/**
 * The service (src/server.ts) on a free port, its log lines going to a file (as a container's log driver
 * takes them: a pipe the benchmark read would stall the service's synchronous log writes whenever the
 * benchmark's own event loop is busy); resolves with its base URL once `/health` answers.
 */
async function startService(env: Record<string, string>) {
  const port = await freePort();
  const log = openSync(join(work, `service-${port}.log`), "w");
  const child = spawn(process.execPath, ["--conditions=@recsys/source", "--import", "tsx", "src/server.ts"], {
    env: { ...process.env, QDRANT_API_URL: "", PORT: String(port), RECSYS_API_KEY: GLOBAL, ...env },
    stdio: ["ignore", log, "inherit"],
  });
  const url = `http://127.0.0.1:${port}/recsys`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("the service did not start");
}

/** 100 events: 10 visitors × 5 views of BB items, in a file the load generator reads. */
function batch(): string {
  const now = Date.now();
  const calls = [];
  for (let u = 0; u < 10; u++)
    for (let v = 0; v < 5; v++)
      calls.push(
        ...rudderstackViews(`noisy-${u}`, String(101 + v), 30, "next_button", now - (v + 1) * 60_000),
      );
  const path = join(work, "batch.json");
  writeFileSync(path, JSON.stringify(calls));
  return path;
}

const quiet = (url: string) =>
  autocannon({
    url: `${url}/api/recommend?user_id=warm`,
    headers: { "x-api-key": QUIET_KEY },
    connections: 4,
    overallRate: QUIET_RATE,
    duration: SECONDS,
  });

/**
 * The noisy tenant's ingest flood at a fixed rate, or as fast as 8 connections go (rate 0): autocannon in
 * a process of its own at nice 10, so the load generator's own CPU does not delay the quiet client.
 */
async function flood(url: string, rate: number) {
  const child = spawn(
    "nice",
    [
      "-n",
      "10",
      process.execPath,
      "--import",
      "tsx",
      "bench/flood.ts",
      `${url}/api/ingest`,
      NOISY_KEY,
      String(rate),
      String(SECONDS),
      batch(),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  await once(child, "exit");
  return JSON.parse(out) as { statusCodeStats: Record<string, { count: number }> };
}

const redis = await startRedisServer();
const redisClient = createRedisClient(redis.url);
await waitUntilReady(redisClient);
const rows: Record<string, string | number>[] = [];
const SCENARIOS: [string, boolean, number][] = [
  [`at its limit (${LIMIT} req/s)`, true, LIMIT],
  [`at twice its limit (${2 * LIMIT} req/s)`, true, 2 * LIMIT],
  ["as fast as it can, limited", true, 0],
  ["as fast as it can, no limit (control)", false, 0],
];
for (const [stores, storeEnv] of [
  ["embedded", {}],
  ["Redis", { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "bench" }],
] as const) {
  for (const [scenario, limited, rate] of SCENARIOS) {
    // The registry lives in Redis and the bootstrap file only adds missing tenants: start each scenario
    // from an empty Redis.
    await redisClient.flushall();
    const { child, url } = await startService({ ...storeEnv, RECSYS_TENANTS: registry(limited) });
    try {
      const warm = rudderstackViews("warm", "101", 120, "next_button", Date.now() - 600_000).concat(
        rudderstackViews("warm", "103", 120, "next_button", Date.now() - 300_000),
      );
      await fetch(`${url}/api/ingest`, {
        method: "POST",
        headers: { "x-api-key": QUIET_KEY, "content-type": "application/json" },
        body: JSON.stringify(warm),
      });
      await autocannon({
        url: `${url}/api/recommend?user_id=warm`,
        headers: { "x-api-key": QUIET_KEY },
        connections: 4,
        duration: 1,
      });
      const alone: autocannon.Result[] = [];
      const together: autocannon.Result[] = [];
      let accepted = 0;
      let refused = 0;
      for (let round = 0; round < ROUNDS; round++) {
        alone.push(await quiet(url));
        const [noisy, noised] = await Promise.all([flood(url, rate), quiet(url)]);
        together.push(noised);
        accepted += noisy.statusCodeStats?.["200"]?.count ?? 0;
        refused += noisy.statusCodeStats?.["429"]?.count ?? 0;
      }
      const median = (results: autocannon.Result[], pick: (r: autocannon.Result) => number) => {
        const values = results.map(pick).sort((a, b) => a - b);
        return values[Math.floor(values.length / 2)]!;
      };
      const p99Alone = median(alone, (r) => r.latency.p99);
      const p99Noise = median(together, (r) => r.latency.p99);
      const errors = [...alone, ...together].reduce((sum, r) => sum + r.non2xx + r.errors, 0);
      rows.push({
        stores,
        "noisy tenant floods ingest": scenario,
        "noisy accepted/s": Math.round(accepted / (SECONDS * ROUNDS)),
        "noisy 429/s": Math.round(refused / (SECONDS * ROUNDS)),
        "quiet p99 alone ms": p99Alone,
        "quiet p99 with noise ms": p99Noise,
        "× alone": (p99Noise / Math.max(p99Alone, 0.001)).toFixed(2),
        "quiet p50 alone / with noise ms": `${median(alone, (r) => r.latency.p50)} / ${median(together, (r) => r.latency.p50)}`,
        "quiet errors": errors,
      });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
}
redisClient.disconnect();
await redis.stop();
process.stdout.write(
  `noisy neighbour, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; quiet: warm recommend at ${QUIET_RATE} req/s over 4 connections, ${ROUNDS} interleaved rounds of ${SECONDS} s alone and ${SECONDS} s with noise (median p99 of the rounds); noisy: 100-event ingest batches over 8 connections from a process at nice 10, rate limit ${LIMIT} req/s (burst ${LIMIT})\n`,
);
console.table(rows);
