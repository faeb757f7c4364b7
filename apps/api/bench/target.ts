// The server side of the load benchmark, run in its own process: the recsys app on the embedded stores
// (catalogue from RECSYS_CATALOG, else the BB dev fixtures) and a bare Hono route, both on loopback.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { rudderstackViews } from "@recsys/fakes";
import { Hono } from "hono";
import { createApp } from "../src/app.js";
import { buildComponents } from "../src/components.js";
import { createLogger } from "../src/logger.js";
import { warmUserBodies } from "./target-process.js";

const { BENCH_SERVED_LOG, BENCH_ACTIVITY, BENCH_REQUEST_LOG, BENCH_LOG, BENCH_WARM_USERS, ...env } =
  process.env;
const loadStarted = performance.now();
const components = await buildComponents({}, env);
const loadMs = Math.round(performance.now() - loadStarted);
// With BENCH_SERVED_LOG=off the served list is not recorded (no served log, no impressions): the
// baseline of what recording costs.
// With BENCH_ACTIVITY=off the operator read models are not recorded on ingest: what they cost.
if (BENCH_ACTIVITY === "off") components.activity.record = async () => {};
if (BENCH_SERVED_LOG === "off") {
  components.servedLog.append = async () => {};
  components.feedback.putImpressions = async () => {};
}
// With BENCH_REQUEST_LOG=1 the service's own request log (route, status, duration) goes to stderr, so a
// benchmark can report server-side time beside what its client observed.
// With BENCH_LOG=1 the service's own logger as shipped: every request a JSON line on stdout.
const logger = BENCH_LOG
  ? createLogger()
  : BENCH_REQUEST_LOG
    ? (entry: Record<string, unknown>) => {
        if (entry.msg === "request") process.stderr.write(`${JSON.stringify(entry)}\n`);
      }
    : () => {};
const app = createApp(components, { dev: true, logger });
const bare = new Hono();
bare.get("/hello", (c) => c.json({ status: "ok" }));
// Resident memory now (after the same two collections as `rssMb`), for a benchmark to read after its load.
bare.get("/rss", async (c) => c.json({ rssMb: await settledRssMb() }));
// This process's CPU time so far (user and system, µs, every thread), for a benchmark to take per request.
bare.get("/cpu", (c) => c.json(process.cpuUsage()));

// A warm user to recommend for: a few deep reads of catalogue items.
const now = Date.now();
const probe = await components.contentStore.query([{ kind: "sample", limit: 3 }]);
const ids = (probe[0] ?? []).map((hit) => hit.id);
const calls = ids.flatMap((id, i) =>
  rudderstackViews("bench-warm", id, 120, "next_button", now - (i + 1) * 600_000),
);
const res = await app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(calls) });
if (res.status !== 200) throw new Error(`warm-up ingest failed: ${res.status}`);
// With BENCH_WARM_USERS=N, N more warm users (bench-warm-0 …), three sampled items each, for the rows
// that serve users in turn: no answer kept from one request helps the next one of another user.
// Resident memory with the catalogue loaded, before the many warm users' models: collected twice with a
// pause between, since a large buffer that is garbage (the catalogue file as read) is only given back to
// the system after a later collection; one collection right away counted it still (~150 MB at 100k).
async function settledRssMb(): Promise<number> {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  globalThis.gc?.();
  return Math.round(process.memoryUsage().rss / 2 ** 20);
}
const rssMb = await settledRssMb();
const warmUsers = Number(BENCH_WARM_USERS ?? 0);
const sampledItems = async () => {
  const [sampled = []] = await components.contentStore.query([{ kind: "sample", limit: 3 }]);
  return sampled.map((hit) => hit.id);
};
for await (const body of warmUserBodies(warmUsers, sampledItems, now)) {
  const seeded = await app.request("/recsys/api/ingest", { method: "POST", body });
  if (seeded.status !== 200) throw new Error(`warm-up ingest failed: ${seeded.status}`);
}

const listen = (fetch: (r: Request) => Response | Promise<Response>) =>
  new Promise<number>((resolve) => {
    serve({ fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
const recsysPort = await listen(app.fetch);
const barePort = await listen(bare.fetch);
process.stdout.write(
  `${JSON.stringify({ recsysPort, barePort, items: ids, loadMs, rssMb, stores: components.description, warmUsers })}\n`,
);
