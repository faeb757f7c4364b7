// Ingest benchmark (loopback only, bounded in count and time) on a real redis-server with the default
// 1 s command timeout: the cost of one ingest for a user with a long history, a burst of concurrent
// ingests for one user, and /health latency while junk bodies of the maximum size are processed. Every
// row stands beside a baseline measured in the same run.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpus, totalmem } from "node:os";
import { createInterface } from "node:readline";
import { startRedisServer } from "@recsys/adapters-redis/testing";
import { normalizeEvents } from "@recsys/core";
import { canonicalEventJson } from "@recsys/ports";
import { Redis } from "ioredis";

/** Sequential single-event ingests per row of the first benchmark. */
const ROUNDS = 500;
const redis = await startRedisServer();
const admin = new Redis(redis.url);

async function startTarget(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ["--conditions=@recsys/source", "--import", "tsx", "bench/target.ts"],
    {
      env: { ...process.env, REDIS_URL: redis.url, BENCH_REQUEST_LOG: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  // The service's own request log: server-side durations, in the order requests finished.
  const served: { route: string; status: number; duration_ms: number }[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    try {
      served.push(JSON.parse(line) as (typeof served)[number]);
    } catch {
      process.stderr.write(`${line}\n`);
    }
  });
  const [first] = (await once(lines, "line")) as [string];
  const { recsysPort } = JSON.parse(first) as { recsysPort: number };
  return {
    url: `http://127.0.0.1:${recsysPort}`,
    served,
    stop: async () => {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const stats = (xs: number[]) => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p99: percentile(xs, 99),
  max: Math.max(...xs),
});
const ms = (x: number) => x.toFixed(1);

function view(userId: string, i: number, atMs: number) {
  return {
    type: "track",
    event: i % 2 === 0 ? "CONTENT_VIEW_STARTED" : "CONTENT_VIEW_ENDED",
    userId,
    messageId: `${userId}-${i}`,
    timestamp: new Date(atMs).toISOString(),
    properties: {
      content: { content_id: `content_${[101, 102, 103, 201, 202, 203, 301, 302][i % 8]}` },
      ...(i % 2 === 1 ? { details: { dwell_seconds: 40, reason: "next_button" } } : {}),
      context: { session_id: `s-${Math.floor(i / 50)}` },
    },
    context: { library: { name: "analytics-node", version: "3.0.13" }, locale: "nl-NL" },
  };
}

/** Write `count` buffered events for a user straight into Redis (a history written before any cap). */
async function preload(prefix: string, userId: string, count: number) {
  const now = Date.now();
  const key = `${prefix}:evt:${userId}`;
  for (let start = 0; start < count; start += 5000) {
    const calls = Array.from({ length: Math.min(5000, count - start) }, (_, j) =>
      view(userId, start + j, now - 20 * 86_400_000 + (start + j) * 30_000),
    );
    const { events } = normalizeEvents(calls, { now });
    const args = events.flatMap((e) => [Date.parse(e.ts) / 1000, canonicalEventJson(e)]);
    await admin.zadd(key, ...args);
  }
  return admin.zcard(key);
}

async function ingestOne(url: string, body: unknown): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/recsys/api/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  console.log(line);
};
say(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; redis ${redis.url}`,
);

// 1. One single-event ingest for a user with 40,000 buffered events, beside one for a new user.
{
  const service = await startTarget({ RECSYS_REDIS_PREFIX: "cap" });
  const buffered = await preload("cap", "heavy", 40_000);
  const fresh: number[] = [];
  const heavy: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate, so both rows see the same machine.
    const now = Date.now();
    const a = await ingestOne(service.url, view(`fresh-${i}`, 0, now - 1000));
    const b = await ingestOne(service.url, view("heavy", 40_000 + i, now - 1000));
    if (a.status !== 200 || b.status !== 200) throw new Error(`ingest failed: ${a.status} ${b.status}`);
    fresh.push(a.ms);
    heavy.push(b.ms);
  }
  const kept = await admin.zcard("cap:evt:heavy");
  // Requests ran one at a time, fresh and heavy alternating: so do their lines in the service's log.
  const ingests = service.served.filter((e) => e.route === "/recsys/api/ingest").slice(-2 * ROUNDS);
  const serverFresh = ingests.filter((_, i) => i % 2 === 0).map((e) => e.duration_ms);
  const serverHeavy = ingests.filter((_, i) => i % 2 === 1).map((e) => e.duration_ms);
  await service.stop();
  const f = stats(fresh);
  const h = stats(heavy);
  const sf = stats(serverFresh);
  const sh = stats(serverHeavy);
  say("\n1. single-event ingest, Redis, default settings (max_events_per_user 300)");
  say(
    `   new user (baseline)                    client p50 ${ms(f.p50)} ms  p99 ${ms(f.p99)} ms; in the service p50 ${ms(sf.p50)} ms  p99 ${ms(sf.p99)} ms  (n ${f.n})`,
  );
  say(
    `   user with ${buffered} buffered events      client p50 ${ms(h.p50)} ms  p99 ${ms(h.p99)} ms; in the service p50 ${ms(sh.p50)} ms  p99 ${ms(sh.p99)} ms  (n ${h.n}; ${kept} kept after the first ingest) — client p99 × baseline p99 ${(h.p99 / f.p99).toFixed(2)}`,
  );

  // The same user without the cap (the behaviour before it), a few requests only: each rebuilds 40,000.
  const uncapped = await startTarget({
    RECSYS_REDIS_PREFIX: "nocap",
    RECSYS_MAX_EVENTS_PER_USER: "10000000",
    RECSYS_REDIS_TIMEOUT_MS: "60000",
  });
  await preload("nocap", "heavy", 40_000);
  const slow: number[] = [];
  for (let i = 0; i < 5; i++)
    slow.push((await ingestOne(uncapped.url, view("heavy", 40_000 + i, Date.now() - 1000))).ms);
  await uncapped.stop();
  say(
    `   the same user without a cap (before)     p50 ${ms(percentile(slow, 50))} ms  max ${ms(Math.max(...slow))} ms  (n 5)`,
  );
}

// 2. 300 concurrent single-event ingests for one user.
{
  const service = await startTarget({ RECSYS_REDIS_PREFIX: "burst" });
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 300 }, (_, i) => ingestOne(service.url, view("burst", i, Date.now() - 60_000 + i))),
  );
  const wall = performance.now() - started;
  const kept = await admin.zcard("burst:evt:burst");
  const solo = await ingestOne(service.url, view("burst-solo", 0, Date.now() - 1000));
  await service.stop();
  const errors = results.filter((r) => r.status !== 200).length;
  const s = stats(results.map((r) => r.ms));
  say("\n2. 300 concurrent single-event ingests for one user, Redis, 1 s command timeout");
  say(
    `   errors ${errors}, events kept ${kept}/300, wall ${ms(wall)} ms, latency p50 ${ms(s.p50)} ms p99 ${ms(s.p99)} ms; one lone ingest in the same run ${ms(solo.ms)} ms`,
  );
}

// 3. /health while 8 maximum-size junk bodies are processed at a time, beside /health idle.
{
  const service = await startTarget({ RECSYS_REDIS_PREFIX: "junk" });
  const junk = `[${new Array(2 * 1024 * 1024 - 1).fill("1").join(",")}]`; // 4 MiB of [1,1,…]
  const probe = async (until: number) => {
    const out: number[] = [];
    while (performance.now() < until) {
      const started = performance.now();
      await (await fetch(`${service.url}/health`)).arrayBuffer();
      out.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 10));
    }
    return out;
  };
  const idle = await probe(performance.now() + 3000);
  let junkAnswers = 0;
  let replyBytes = 0;
  const stopAt = performance.now() + 6000;
  const sender = async () => {
    while (performance.now() < stopAt) {
      const res = await fetch(`${service.url}/recsys/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: junk,
      });
      replyBytes = Math.max(replyBytes, (await res.arrayBuffer()).byteLength);
      if (res.status === 422) junkAnswers += 1;
    }
  };
  const [busy] = await Promise.all([probe(stopAt), ...Array.from({ length: 8 }, sender)]);
  await service.stop();
  const i = stats(idle);
  const b = stats(busy!);
  say("\n3. /health latency, 8 senders of 4 MiB junk bodies at a time");
  say(`   idle (baseline)   p50 ${ms(i.p50)} ms  p99 ${ms(i.p99)} ms  max ${ms(i.max)} ms  (n ${i.n})`);
  say(
    `   under junk load   p50 ${ms(b.p50)} ms  p99 ${ms(b.p99)} ms  max ${ms(b.max)} ms  (n ${b.n}); ${junkAnswers} junk bodies answered 422, largest answer ${replyBytes} bytes`,
  );
}

admin.disconnect();
await redis.stop();
