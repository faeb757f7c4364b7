import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { embeddedComponents, get, type Running, startServer } from "./helpers.js";

describe("OpenAPI document and docs page", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer(embeddedComponents());
  });
  afterAll(async () => {
    await server.close();
  });

  it("validates as OpenAPI 3.1 and lists every route with request and response schemas", async () => {
    const res = await get(`${server.url}/recsys/openapi.json`);
    expect(res.status).toBe(200);
    const spec = res.json as unknown as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            operationId?: string;
            parameters?: { name: string; in: string; schema: unknown }[];
            requestBody?: { content: Record<string, { schema: unknown }> };
            responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
          }
        >
      >;
    };
    const validator = new Validator();
    const result = await validator.validate(spec as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(Object.keys(spec.paths).sort()).toEqual([
      "/health",
      "/ready",
      "/recsys/api/config",
      "/recsys/api/config/changes",
      "/recsys/api/config/reset",
      "/recsys/api/content/stats",
      "/recsys/api/content/{content_id}",
      "/recsys/api/ingest",
      "/recsys/api/metrics",
      "/recsys/api/policy",
      "/recsys/api/recommend",
      "/recsys/api/recommend/preview",
      "/recsys/api/served/explain",
      "/recsys/api/tenants",
      "/recsys/api/tenants/{tenant_id}",
      "/recsys/api/tenants/{tenant_id}/keys",
      "/recsys/api/tenants/{tenant_id}/keys/{key_id}",
      "/recsys/api/usermodel",
      "/recsys/api/usermodel/explain",
      "/recsys/api/usermodel/extras",
      "/recsys/api/usermodel/history",
      "/recsys/api/users",
      "/recsys/api/whoami",
      "/recsys/v1/alias",
      "/recsys/v1/batch",
      "/recsys/v1/group",
      "/recsys/v1/identify",
      "/recsys/v1/page",
      "/recsys/v1/screen",
      "/recsys/v1/track",
    ]);
    const ingest = spec.paths["/recsys/api/ingest"]!.post!;
    expect(ingest.operationId).toBe("ingestEvents");
    // Query parameters are typed as the values they become.
    const types = Object.fromEntries(
      (spec.paths["/recsys/api/recommend"]!.get!.parameters ?? []).map((p) => [
        p.name,
        (p.schema as { type: string }).type,
      ]),
    );
    expect(types).toEqual({
      user_id: "string",
      limit: "integer",
      filter: "string",
      near_lat: "number",
      near_lon: "number",
      geo_radius_m: "number",
      include_content: "boolean",
      seed: "integer",
      "X-Tenant-Id": "string",
    });
    expect(spec.paths["/recsys/api/recommend"]!.get).not.toHaveProperty("security");
    const ids = Object.values(spec.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId?: string }>).map((op) => op.operationId),
    );
    expect(ids.sort()).toEqual(
      [
        "configChanges",
        "contentItem",
        "contentStats",
        "explainUserModel",
        "getConfig",
        "getUserModel",
        "health",
        "ingestEvents",
        "metricsJson",
        "policy",
        "putConfig",
        "ready",
        "recommend",
        "recommendPreview",
        "resetConfig",
        "rudderstackAlias",
        "rudderstackBatch",
        "rudderstackGroup",
        "rudderstackIdentify",
        "rudderstackPage",
        "rudderstackScreen",
        "rudderstackTrack",
        "servedExplain",
        "userExtras",
        "userHistory",
        "users",
        "whoami",
        "listTenants",
        "saveTenant",
        "deleteTenant",
        "mintTenantKey",
        "revokeTenantKey",
      ].sort(),
    );
    expect(ingest.requestBody!.content["application/json"]!.schema).toBeTruthy();
    for (const code of ["200", "400", "413", "415", "422", "503"])
      expect(ingest.responses[code]!.content!["application/json"]!.schema).toBeTruthy();
    const recommend = spec.paths["/recsys/api/recommend"]!.get!;
    expect(recommend.parameters!.map((p) => p.name).sort()).toEqual([
      "X-Tenant-Id",
      "filter",
      "geo_radius_m",
      "include_content",
      "limit",
      "near_lat",
      "near_lon",
      "seed",
      "user_id",
    ]);
    expect(recommend.parameters!.filter((p) => p.in !== "query").map((p) => [p.name, p.in])).toEqual([
      ["X-Tenant-Id", "header"],
    ]);
    expect(Object.keys(recommend.responses).sort()).toEqual(["200", "401", "404", "422", "429", "503"]);
    const ok = recommend.responses["200"]!.content!["application/json"]!.schema as {
      properties: { result: { properties: Record<string, unknown> } };
    };
    expect(Object.keys(ok.properties.result.properties).sort()).toEqual([
      "diagnostics",
      "filter",
      "items",
      "request_id",
      "strategy",
      "user_id",
    ]);
    const usermodel = spec.paths["/recsys/api/usermodel"]!.get!;
    expect(usermodel.parameters!.map((p) => p.name)).toEqual(["user_id", "X-Tenant-Id"]);
    expect(usermodel.responses["200"]!.content!["application/json"]!.schema).toBeTruthy();
  });

  it("serves the Swagger UI page and its assets from the service itself, nothing from outside", async () => {
    const res = await get(`${server.url}/recsys/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain('data-spec="/recsys/openapi.json"');
    expect(res.text).not.toMatch(/https?:\/\//);
    const srcs = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.every((s) => s.startsWith("/recsys/docs/assets/"))).toBe(true);
    for (const src of srcs)
      expect({ src, status: (await get(`${server.url}${src}`)).status }).toEqual({ src, status: 200 });
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect((await get(`${server.url}/recsys/docs/assets/nope.js`)).status).toBe(404);
  });
});

describe("OpenAPI security follows the auth settings", () => {
  it("recommend carries security when serving requires the key; ingest and usermodel always", async () => {
    const app = createApp(embeddedComponents(), { apiKey: "k", servingRequiresKey: true, logger: () => {} });
    const spec = (await (await app.request("/recsys/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const alternatives = [{ apiKey: [] }, { basic: [] }, { bearer: [] }];
    expect(spec.paths["/recsys/api/recommend"]!.get!.security).toEqual(alternatives);
    expect(spec.paths["/recsys/api/ingest"]!.post!.security).toEqual(alternatives);
    expect(spec.paths["/recsys/api/usermodel"]!.get!.security).toEqual(alternatives);
  });
});
