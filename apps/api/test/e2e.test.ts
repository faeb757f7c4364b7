import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answers, embeddedComponents, get, post, type Running, startServer } from "./helpers.js";
import { expectAnswersMatchDocument } from "./openapi-answers.js";

const HOUR = 3_600_000;

type Item = {
  id: string;
  rank: number;
  role: string;
  relevance_score: number;
  content?: unknown;
  breakdown: Record<string, number>;
  features: number[];
};
type RecResult = {
  user_id: string;
  request_id: string;
  strategy: string;
  items: Item[];
  diagnostics: Record<string, unknown>;
  filter: string | null;
};

describe("end to end over a real socket: the docs/behaviour.md Appendix B visitor", () => {
  let server: Running;
  const api = () => `${server.url}/recsys/api`;
  beforeAll(async () => {
    server = await startServer(embeddedComponents(), { clock: () => BB_NOW });
  });
  afterAll(async () => {
    await server.close();
  });

  it("ingests raw RudderStack calls and reports users and rejections", async () => {
    const calls = [
      ...rudderstackViews("visitor-b", "101", 120, "next_button", BB_NOW - HOUR),
      ...rudderstackViews("visitor-b", "102", 120, "next_button", BB_NOW - HOUR),
    ];
    const res = await post(`${api()}/ingest`, { batch: [...calls, { event: "CONTENT_VIEW_STARTED" }] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      status: "ok",
      ingested: 4,
      duplicates: 0,
      ignored: 0,
      outside_window: 0,
      users: ["visitor-b"],
      rejected: [{ index: 4, reason: "missing userId and anonymousId" }],
      rejected_total: 1,
      rewards: 0,
      bandit_updates: 0,
    });
  });

  it("the user model matches docs/behaviour.md Appendix B", async () => {
    const res = await get(`${api()}/usermodel?user_id=visitor-b`);
    expect(res.status).toBe(200);
    const model = res.json.result as unknown as Record<string, Record<string, number> | unknown>;
    const positives = model.positives as Record<string, number>;
    expect(Math.abs(positives["101"]! - 0.777143)).toBeLessThan(1e-6);
    expect(Math.abs(positives["102"]! - 0.777143)).toBeLessThan(1e-6);
    expect(model.tag_affinity).toEqual({
      "theme_what:forced labor": 1,
      "theme_what:workshops": expect.closeTo(0.4, 9),
      "theme_what:work detail": expect.closeTo(0.4, 9),
      "theme_how.type_of_stores:personal stories": expect.closeTo(0.5, 9),
    });
    expect(model.taste_vector).toEqual([1, 0, 0, 0, 0, 0]);
    expect(model.behavior).toEqual({
      n_views: 2,
      n_positive: 2,
      n_negative: 0,
      avg_dwell_ratio: 1,
      completion_rate: 1,
      revisit_rate: 0,
      depth: 1,
    });
  });

  it("recommends 103 first, warm, no seen item, with the reference's scores", async () => {
    const res = await get(`${api()}/recommend?user_id=visitor-b`);
    expect(res.status).toBe(200);
    const result = res.json.result as unknown as RecResult;
    expect(result.strategy).toBe("warm");
    expect(result.items.map((i) => i.id)).toEqual(["103", "201", "301", "202", "203", "302"]);
    expect(result.items.map((i) => i.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Math.abs(result.items[0]!.relevance_score - 0.657174)).toBeLessThan(1e-6);
    expect(result.items[0]!.role).toBe("target");
    expect(result.items[0]!.content).toMatchObject({ id: "103", title: "Armament factory labour" });
    expect(result.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.filter).toBeNull();
  });

  it("include_content=false drops content; limit truncates", async () => {
    const res = await get(`${api()}/recommend?user_id=visitor-b&include_content=false&limit=2`);
    const result = res.json.result as unknown as RecResult;
    expect(result.items.map((i) => i.id)).toEqual(["103", "201"]);
    for (const item of result.items) expect(item).not.toHaveProperty("content");
  });

  it("an unknown user gets a cold, non-empty list with cold_start_fallback", async () => {
    const result = (await get(`${api()}/recommend?user_id=stranger`)).json.result as unknown as RecResult;
    expect(result.strategy).toBe("cold");
    expect(result.items.length).toBeGreaterThan(0);
    expect(result.diagnostics.cold_start_fallback).toBe(true);
    expect((await get(`${api()}/usermodel?user_id=stranger`)).json).toEqual({ result: null });
  });

  it("filter and geo parameters restrict and score", async () => {
    const filtered = (await get(`${api()}/recommend?user_id=stranger&filter=Liberation`)).json
      .result as unknown as RecResult;
    expect(filtered.items.map((i) => i.id).sort()).toEqual(["301", "302"]);
    expect(filtered.filter).toBe("Liberation");
    expect(filtered.diagnostics.generators).toEqual(["filter"]);
    const near = (
      await get(`${api()}/recommend?user_id=stranger&near_lat=52.7597&near_lon=9.9041&geo_radius_m=60`)
    ).json.result as unknown as RecResult;
    expect(near.items.map((i) => i.id).sort()).toEqual(["301", "302"]);
    expect(near.items.find((i) => i.id === "301")!.breakdown.geo).toBeCloseTo(0.2, 9);
    const both = (
      await get(
        `${api()}/recommend?user_id=stranger&filter=Family&near_lat=52.7597&near_lon=9.9041&geo_radius_m=60`,
      )
    ).json.result as unknown as RecResult;
    expect(both.items).toEqual([]);
    expect(both.diagnostics).toMatchObject({ reason: "empty_filter", generators: ["filter", "geo"] });
  });

  it("serves health, readiness and Prometheus metrics, and logs one line per request without payloads", async () => {
    expect((await get(`${server.url}/health`)).json).toEqual({
      status: "ok",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect((await get(`${server.url}/ready`)).json).toEqual({
      status: "ready",
      stores: { content: "ok", events: "ok", models: "ok", tenants: "ok" },
    });
    const metrics = await get(`${server.url}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(metrics.text).toContain(
      'recsys_http_requests_total{route="/recsys/api/recommend",method="GET",status="200"}',
    );
    expect(metrics.text).toMatch(/recsys_events_ingested_total{tenant="default"} 4\b/);
    expect(metrics.text).toContain('recsys_recommendations_total{strategy="warm",tenant="default"}');
    expect(metrics.text).toContain(
      'recsys_http_request_duration_seconds_bucket{le="+Inf",route="/recsys/api/ingest",method="POST"} 1',
    );
    // Every family has HELP and TYPE (what promtool checks), including store, process and event-loop ones.
    const families = new Set(
      [...metrics.text.matchAll(/^(recsys_\w+?)(?:_bucket|_sum|_count)?(?:\{.*\})? [-+\d.eE]+$/gm)].map(
        (m) => m[1]!,
      ),
    );
    const typed = new Map([...metrics.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const helped = new Set([...metrics.text.matchAll(/^# HELP (\S+) .+$/gm)].map((m) => m[1]!));
    for (const family of families) {
      const base = typed.has(family) ? family : family.replace(/_(bucket|sum|count)$/, "");
      expect({ family, typed: typed.has(base), helped: helped.has(base) }).toEqual({
        family,
        typed: true,
        helped: true,
      });
    }
    expect(typed.get("recsys_store_call_duration_seconds")).toBe("histogram");
    expect(metrics.text).toMatch(
      /recsys_store_call_duration_seconds_count\{store="events",operation="append",outcome="ok"\} \d+/,
    );
    expect(metrics.text).toMatch(
      /recsys_store_call_duration_seconds_count\{store="content",operation="query",outcome="ok"\} \d+/,
    );
    expect(typed.has("recsys_nodejs_eventloop_lag_seconds")).toBe(true);
    expect(typed.has("recsys_process_resident_memory_bytes")).toBe(true);
    const line = server.logs.find((l) => l.route === "/recsys/api/ingest")!;
    expect(line).toMatchObject({ level: "info", msg: "request", method: "POST", status: 200 });
    expect(typeof line.duration_ms).toBe("number");
    expect(JSON.stringify(server.logs)).not.toContain("visitor-b");
    expect(JSON.stringify(server.logs)).not.toContain("content_101");
  });
});

describe("request ids, version and CORS", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer(embeddedComponents(), {
      clock: () => BB_NOW,
      corsOrigins: ["https://app.example.org"],
    });
  });
  afterAll(() => server.close());

  it("honours an incoming X-Request-Id, returns it, and uses it as the recommendation's request_id", async () => {
    const res = await get(`${server.url}/recsys/api/recommend?user_id=someone`, {
      "x-request-id": "req-42_abc",
    });
    expect(res.headers.get("x-request-id")).toBe("req-42_abc");
    expect((res.json.result as unknown as { request_id: string }).request_id).toBe("req-42_abc");
    expect(server.logs.find((l) => l.request_id === "req-42_abc")).toMatchObject({
      route: "/recsys/api/recommend",
    });
    // Without one (or with an unsafe one), a new 32-hex id.
    for (const headers of [{}, { "x-request-id": "bad id\twith spaces" }]) {
      const fresh = await get(`${server.url}/recsys/api/recommend?user_id=someone`, headers);
      const id = fresh.headers.get("x-request-id")!;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect((fresh.json.result as unknown as { request_id: string }).request_id).toBe(id);
    }
  });

  it("/health and the OpenAPI document carry the package's version", async () => {
    const version = (
      JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    ).version;
    expect((await get(`${server.url}/health`)).json).toEqual({ status: "ok", version });
    expect(
      ((await get(`${server.url}/recsys/openapi.json`)).json as unknown as { info: { version: string } }).info
        .version,
    ).toBe(version);
  });

  it("CORS: allowed origins get the headers and preflights; others get none", async () => {
    const allowed = await fetch(`${server.url}/recsys/api/recommend?user_id=u`, {
      headers: { origin: "https://app.example.org" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.org");
    const preflight = await fetch(`${server.url}/recsys/v1/batch`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.org",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
    const other = await fetch(`${server.url}/recsys/api/recommend?user_id=u`, {
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const off = await startServer(embeddedComponents());
    try {
      const res = await fetch(`${off.url}/recsys/api/recommend?user_id=u`, {
        headers: { origin: "https://app.example.org" },
      });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await off.close();
    }
  });
});

describe("every answer this file received matches the OpenAPI document", () => {
  it("checks them against the response schema for their path, method and status", () =>
    expectAnswersMatchDocument(
      answers,
      () => startServer(embeddedComponents(), { clock: () => BB_NOW }),
      10,
    ));
});

describe("/metrics passes promtool", () => {
  const promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((p) => existsSync(p));
  it.skipIf(!promtool)(
    promtool
      ? "promtool check metrics: no error, no lint problem"
      : "promtool check metrics (skipped: promtool is not installed)",
    async () => {
      const server = await startServer(embeddedComponents(), { clock: () => BB_NOW });
      try {
        await get(`${server.url}/recsys/api/recommend?user_id=someone`);
        const text = (await get(`${server.url}/metrics`)).text;
        const result = spawnSync(promtool!, ["check", "metrics"], { input: text, encoding: "utf8" });
        expect({ status: result.status, problems: `${result.stdout}${result.stderr}`.trim() }).toEqual({
          status: 0,
          problems: "",
        });
      } finally {
        await server.close();
      }
    },
  );
});
