// The server side of the load benchmark, run in its own process: the recsys app on the embedded stores
// (catalogue from RECSYS_CATALOG, else the BB dev fixtures) and a bare Hono route, both on loopback.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { rudderstackViews } from "@recsys/fakes";
import { Hono } from "hono";
import { createApp } from "../src/app.js";
import { buildComponents } from "../src/components.js";

const { BENCH_SERVED_LOG, BENCH_ACTIVITY, BENCH_REQUEST_LOG, ...env } = process.env;
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
const logger = BENCH_REQUEST_LOG
  ? (entry: Record<string, unknown>) => {
      if (entry.msg === "request") process.stderr.write(`${JSON.stringify(entry)}\n`);
    }
  : () => {};
const app = createApp(components, { dev: true, logger });
const bare = new Hono();
bare.get("/hello", (c) => c.json({ status: "ok" }));

// A warm user to recommend for: a few deep reads of catalogue items.
const now = Date.now();
const probe = await components.contentStore.query([{ kind: "sample", limit: 3 }]);
const ids = (probe[0] ?? []).map((hit) => hit.id);
const calls = ids.flatMap((id, i) =>
  rudderstackViews("bench-warm", id, 120, "next_button", now - (i + 1) * 600_000),
);
const res = await app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(calls) });
if (res.status !== 200) throw new Error(`warm-up ingest failed: ${res.status}`);

const listen = (fetch: (r: Request) => Response | Promise<Response>) =>
  new Promise<number>((resolve) => {
    serve({ fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
const recsysPort = await listen(app.fetch);
const barePort = await listen(bare.fetch);
globalThis.gc?.();
const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
process.stdout.write(
  `${JSON.stringify({ recsysPort, barePort, items: ids, loadMs, rssMb, stores: components.description })}\n`,
);
