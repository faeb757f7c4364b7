import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type TenantService,
  tenantCatalog,
  tenantEvents,
  tenantService,
  writeCatalogs,
} from "./tenant-world.js";

let running: TenantService[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function start(env: Record<string, string> = {}) {
  const service = await tenantService(env);
  running.push(service);
  return service;
}

const view = (user: string, content: string, dwell: number) => [
  {
    type: "track",
    event: "CONTENT_VIEW_STARTED",
    userId: user,
    timestamp: "2026-06-10T11:00:00Z",
    properties: { content: { content_id: content } },
  },
  {
    type: "track",
    event: "CONTENT_VIEW_ENDED",
    userId: user,
    timestamp: "2026-06-10T11:01:00Z",
    properties: { content: { content_id: content }, dwell_seconds: dwell, end_reason: "next_button" },
  },
];

/** Create a tenant with a minted key; returns the key. */
async function createTenant(s: TenantService, body: Record<string, unknown>): Promise<string> {
  const res = await s.call("POST", "/tenants", { body: { generate_api_key: true, ...body } });
  expect(res.status).toBe(200);
  expect(res.json.status).toBe("saved");
  return res.json.api_key as string;
}

describe("tenants: resolution and auth (docs/behaviour.md §7.7)", () => {
  it("a tenant key pins its tenant whatever X-Tenant-Id says; the global key chooses by header", async () => {
    const s = await start();
    const alpha = await createTenant(s, { tenant_id: "alpha", name: "Alpha site" });
    await createTenant(s, { tenant_id: "beta" });
    expect(alpha).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await s.call("GET", "/whoami", { key: alpha, tenant: "beta" })).json).toEqual({
      result: { tenant: "alpha", name: "Alpha site", scope: "tenant", collection: null },
    });
    expect((await s.call("GET", "/whoami", { tenant: "beta" })).json.result).toEqual({
      tenant: "beta",
      name: "beta",
      scope: "global",
      collection: null,
    });
    expect((await s.call("GET", "/whoami", { key: null })).json.result).toMatchObject({
      tenant: "default",
      scope: "public",
    });

    // Writes with alpha's key and a spoofed header land in alpha; beta and default see nothing.
    const ingest = await s.call("POST", "/ingest", {
      key: alpha,
      tenant: "beta",
      body: view("u1", "101", 90),
    });
    expect(ingest.status).toBe(200);
    expect(ingest.json.ingested).toBe(2);
    const model = (tenant: string) => s.call("GET", "/usermodel?user_id=u1", { tenant });
    expect((await model("alpha")).json.result).toMatchObject({ user_id: "u1" });
    expect((await model("beta")).json.result).toBeNull();
    expect((await model("default")).json.result).toBeNull();
    // alpha's key reads alpha's model even when it names beta
    expect(
      (await s.call("GET", "/usermodel?user_id=u1", { key: alpha, tenant: "beta" })).json.result,
    ).toMatchObject({ user_id: "u1" });
  });

  it("an unknown tenant is refused with 404; an unknown key with 401, on public routes too", async () => {
    const s = await start();
    const unknown = await s.call("GET", "/recommend?user_id=x", { key: null, tenant: "nobody" });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({
      error: { code: "tenant_not_found", details: { field: "X-Tenant-Id" } },
    });
    expect((await s.call("GET", "/recommend?user_id=x", { key: "not-a-key-of-anyone" })).status).toBe(401);
    expect((await s.call("POST", "/ingest", { key: null, body: view("u", "101", 5) })).status).toBe(401);
    expect((await s.call("GET", "/recommend?user_id=x", { key: null })).status).toBe(200);
  });

  it("a tenant key cannot administer tenants; the list never shows a key or its hash", async () => {
    const s = await start();
    const alpha = await createTenant(s, { tenant_id: "alpha" });
    for (const [method, path, body] of [
      ["GET", "/tenants", undefined],
      ["POST", "/tenants", { tenant_id: "alpha", rate_limit: null }],
      ["POST", "/tenants", { tenant_id: "evil" }],
      ["DELETE", "/tenants/alpha", undefined],
      ["POST", "/tenants/alpha/keys", undefined],
      ["POST", "/tenants/default/keys", undefined],
    ] as const) {
      const res = await s.call(method, path, { key: alpha, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json).toMatchObject({ error: { code: "forbidden" } });
    }
    const list = await s.call("GET", "/tenants");
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.json);
    expect(text).not.toContain(alpha);
    expect(text).not.toContain(createHash("sha256").update(alpha).digest("hex"));
    const rows = list.json.result as { tenant_id: string; api_keys_count: number; content_count: number }[];
    expect(rows.map((r) => r.tenant_id).sort()).toEqual(["alpha", "default"]);
    expect(rows.find((r) => r.tenant_id === "alpha")).toMatchObject({
      api_keys_count: 1,
      content_count: 8,
      source: "runtime",
      redis_prefix: "alpha",
    });
    expect(rows.find((r) => r.tenant_id === "default")).toMatchObject({
      api_keys_count: 0,
      source: "default",
    });
  });

  it("a revoked key and a deleted tenant's key stop working at once; a new key works", async () => {
    const s = await start();
    const first = await createTenant(s, { tenant_id: "alpha" });
    const minted = await s.call("POST", "/tenants/alpha/keys");
    expect(minted.status).toBe(200);
    const second = minted.json.api_key as string;
    const keyId = (minted.json.key as { id: string }).id;
    expect((await s.call("GET", "/whoami", { key: second })).json.result).toMatchObject({ tenant: "alpha" });
    expect((await s.call("DELETE", `/tenants/alpha/keys/${keyId}`)).json).toEqual({
      status: "revoked",
      key_id: keyId,
    });
    expect((await s.call("GET", "/whoami", { key: second })).status).toBe(401);
    expect((await s.call("GET", "/whoami", { key: first })).status).toBe(200);
    expect((await s.call("DELETE", "/tenants/alpha")).json).toEqual({
      status: "deleted",
      tenant_id: "alpha",
    });
    expect((await s.call("GET", "/whoami", { key: first })).status).toBe(401);
    expect((await s.call("GET", "/whoami", { tenant: "alpha" })).status).toBe(404);
    expect((await s.call("DELETE", "/tenants/default")).status).toBe(409);
    expect((await s.call("DELETE", "/tenants/alpha")).status).toBe(404);
  });

  it("validates a tenant: settings (422 naming the field), a prefix in use (409), a catalogue it cannot read", async () => {
    const s = await start();
    const bad = await s.call("POST", "/tenants", {
      body: { tenant_id: "alpha", settings: { mmr_lambda: 3 } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ error: { details: { field: "settings.mmr_lambda" } } });
    const badId = await s.call("POST", "/tenants", { body: { tenant_id: "a:b" } });
    expect(badId.status).toBe(422);
    expect(badId.json).toMatchObject({ error: { details: { field: "tenant_id" } } });
    expect((await s.call("POST", "/tenants", { body: { tenant_id: "alpha" } })).status).toBe(200);
    const clash = await s.call("POST", "/tenants", { body: { tenant_id: "beta", redis_prefix: "alpha" } });
    expect(clash.status).toBe(409);
    expect(clash.json).toMatchObject({ error: { details: { field: "redis_prefix" } } });
    const clashDefault = await s.call("POST", "/tenants", {
      body: { tenant_id: "gamma", redis_prefix: "default" },
    });
    expect(clashDefault.status).toBe(409);
    const missing = await s.call("POST", "/tenants", {
      body: { tenant_id: "delta", catalog: "/no/such/file.jsonl" },
    });
    expect(missing.status).toBe(422);
    expect(missing.json).toMatchObject({ error: { details: { field: "catalog" } } });
    expect(((await s.call("GET", "/tenants")).json.result as unknown[]).length).toBe(2);
  });

  it("each tenant has its own catalogue, settings, metrics and event log directory", async () => {
    const logDir = mkdtempSync(join(tmpdir(), "recsys-tenant-log-"));
    const catalogs = writeCatalogs({ alpha: tenantCatalog(1000, 11), beta: tenantCatalog(2000, 12) });
    const s = await start({ RECSYS_EVENT_LOG_DIR: logDir });
    const alpha = await createTenant(s, {
      tenant_id: "alpha",
      catalog: catalogs.alpha,
      settings: { final_limit: 4 },
    });
    const beta = await createTenant(s, { tenant_id: "beta", catalog: catalogs.beta });
    const alphaIngest = await s.call("POST", "/ingest", {
      key: alpha,
      body: tenantEvents(tenantCatalog(1000, 11), 5, 2, 10),
    });
    const betaIngest = await s.call("POST", "/ingest", {
      key: beta,
      body: tenantEvents(tenantCatalog(2000, 12), 6, 3, 10),
    });
    expect(alphaIngest.json.ingested).toBeGreaterThan(0);
    expect(betaIngest.json.ingested).not.toBe(alphaIngest.json.ingested);
    const alphaRec = await s.call("GET", "/recommend?user_id=user-1", { key: alpha });
    const betaRec = await s.call("GET", "/recommend?user_id=user-1", { key: beta });
    const ids = (r: typeof alphaRec) =>
      (r.json.result as { items: { id: string }[] }).items.map((i) => Number(i.id));
    expect(ids(alphaRec)).toHaveLength(4);
    for (const id of ids(alphaRec)) expect(id > 1000 && id <= 1060).toBe(true);
    for (const id of ids(betaRec)) expect(id > 2000 && id <= 2060).toBe(true);
    expect(
      ((await s.call("GET", "/config", { key: alpha })).json.result as { final_limit: number }).final_limit,
    ).toBe(4);
    expect(
      ((await s.call("GET", "/config", { key: beta })).json.result as { final_limit: number }).final_limit,
    ).toBe(10);
    // runtime settings are the tenant's own
    expect((await s.call("PUT", "/config", { key: beta, body: { mmr_lambda: 0.4 } })).status).toBe(200);
    expect(((await s.call("GET", "/config", { key: alpha })).json as { version: number }).version).toBe(0);
    const metrics = (key: string) => s.call("GET", "/metrics", { key });
    expect((await metrics(alpha)).json.result).toMatchObject({
      recommends: 1,
      ingests: alphaIngest.json.ingested,
    });
    expect((await metrics(beta)).json.result).toMatchObject({
      recommends: 1,
      ingests: betaIngest.json.ingested,
    });
    const users = (await s.call("GET", "/users", { key: alpha })).json.result as { user_id: string }[];
    expect(users.map((u) => u.user_id).sort()).toEqual(["user-1", "user-2"]);
    expect(readdirSync(logDir).sort()).toEqual(["alpha", "beta"]);
    expect(readdirSync(join(logDir, "alpha"))).toContain("events");
  });

  it("a tenant over its rate limit gets 429 with Retry-After; other tenants and administration are not slowed", async () => {
    const s = await start();
    const alpha = await createTenant(s, {
      tenant_id: "alpha",
      rate_limit: { requests_per_second: 0.5, burst: 2 },
    });
    const beta = await createTenant(s, { tenant_id: "beta" });
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<TenantService["call"]>> | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await s.call("GET", "/recommend?user_id=x", { key: alpha });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(limited!.headers.get("retry-after")).toBe("2");
    expect(limited!.json).toMatchObject({ error: { code: "rate_limited", details: { retry_after: 2 } } });
    for (let i = 0; i < 5; i++)
      expect((await s.call("GET", "/recommend?user_id=x", { key: beta })).status).toBe(200);
    expect((await s.call("GET", "/tenants")).status).toBe(200);
    // lifting the limit applies at once
    expect(
      (await s.call("POST", "/tenants", { body: { tenant_id: "alpha", rate_limit: null } })).status,
    ).toBe(200);
    expect((await s.call("GET", "/recommend?user_id=x", { key: alpha })).status).toBe(200);
  });

  it("a tenant's settings change rebuilds its components and keeps its data on the embedded default", async () => {
    const s = await start();
    const alpha = await createTenant(s, { tenant_id: "alpha" });
    await s.call("POST", "/ingest", { key: alpha, body: view("u1", "101", 90) });
    const before = (await s.call("GET", "/usermodel?user_id=u1", { key: alpha })).json.result;
    expect(before).not.toBeNull();
    await s.call("POST", "/tenants", { body: { tenant_id: "alpha", settings: { final_limit: 2 } } });
    const rec = await s.call("GET", "/recommend?user_id=u1", { key: alpha });
    expect((rec.json.result as { items: unknown[] }).items).toHaveLength(2);
    expect((await s.call("GET", "/usermodel?user_id=u1", { key: alpha })).json.result).toEqual(before);
  });

  it("registers the tenants of a bootstrap file (RECSYS_TENANTS) once, keys given in plain text hashed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-bootstrap-"));
    const bootstrap = join(dir, "tenants.json");
    const key = "bootstrap-key-for-alpha-0001";
    writeFileSync(
      bootstrap,
      JSON.stringify({ tenants: [{ tenant_id: "alpha", name: "Alpha", api_keys: [key] }, { id: "beta" }] }),
    );
    const store = join(dir, "registry.json");
    const first = await start({ RECSYS_TENANTS: bootstrap, RECSYS_TENANT_STORE: store });
    expect((await first.call("GET", "/whoami", { key })).json.result).toMatchObject({
      tenant: "alpha",
      name: "Alpha",
    });
    await first.call("POST", "/tenants", { body: { tenant_id: "alpha", name: "Renamed" } });
    // A restart with the same bootstrap file leaves what an operator changed since.
    const second = await start({ RECSYS_TENANTS: bootstrap, RECSYS_TENANT_STORE: store });
    expect((await second.call("GET", "/whoami", { key })).json.result).toMatchObject({ name: "Renamed" });
    expect(
      JSON.stringify(await import("node:fs").then((fs) => fs.readFileSync(store, "utf8"))),
    ).not.toContain(key);
  });
});
