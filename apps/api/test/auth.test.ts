import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import { StoreUnavailableError } from "@recsys/ports";
import { afterEach, describe, expect, it } from "vitest";
import { appOptionsFromEnv } from "../src/env.js";
import { embeddedComponents, get, post, type Running, startServer } from "./helpers.js";

const calls = () => rudderstackViews("u-auth", "101", 60, "next_button", BB_NOW - 3_600_000);

describe("auth (docs/behaviour.md §7.5)", () => {
  let server: Running | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("with RECSYS_API_KEY: ingest and usermodel need the key, recommend does not", async () => {
    server = await startServer(embeddedComponents(), { apiKey: "s3cret", dev: false, clock: () => BB_NOW });
    const ingest = `${server.url}/recsys/api/ingest`;
    expect((await post(ingest, calls())).status).toBe(401);
    expect((await post(ingest, calls(), { "x-api-key": "wrong" })).json).toMatchObject({
      error: { code: "unauthorized" },
    });
    expect((await post(ingest, calls(), { "x-api-key": "s3cret" })).status).toBe(200);
    expect((await get(`${server.url}/recsys/api/usermodel?user_id=u-auth`)).status).toBe(401);
    expect(
      (await get(`${server.url}/recsys/api/usermodel?user_id=u-auth`, { "x-api-key": "s3cret" })).status,
    ).toBe(200);
    expect((await get(`${server.url}/recsys/api/recommend?user_id=u-auth`)).status).toBe(200);
  });

  it("RECSYS_SERVING_REQUIRES_KEY guards recommend too", async () => {
    server = await startServer(embeddedComponents(), { apiKey: "k", servingRequiresKey: true, dev: false });
    expect((await get(`${server.url}/recsys/api/recommend?user_id=x`)).status).toBe(401);
    expect((await get(`${server.url}/recsys/api/recommend?user_id=x`, { "x-api-key": "k" })).status).toBe(
      200,
    );
  });

  it("fails closed without a key outside dev mode; refuses a key when none is configured", async () => {
    server = await startServer(embeddedComponents(), { dev: false });
    const res = await post(`${server.url}/recsys/api/ingest`, calls());
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ error: { code: "auth_not_configured" } });
    expect((await get(`${server.url}/recsys/api/recommend?user_id=x`)).status).toBe(200);
    await server.close();
    server = await startServer(embeddedComponents(), { dev: true });
    expect((await post(`${server.url}/recsys/api/ingest`, calls())).status).toBe(200);
    expect((await post(`${server.url}/recsys/api/ingest`, calls(), { "x-api-key": "x" })).status).toBe(401);
  });

  it("reads the environment: the embedded default is dev mode, real stores fail closed", () => {
    expect(appOptionsFromEnv({}, "embedded").app.dev).toBe(true);
    expect(appOptionsFromEnv({}, "real").app.dev).toBe(false);
    expect(appOptionsFromEnv({ RECSYS_DEV: "1" }, "real").app.dev).toBe(true);
    const settings = appOptionsFromEnv(
      { PORT: "9001", HOST: "0.0.0.0", RECSYS_API_KEY: " k ", RECSYS_MAX_BODY_BYTES: "1024" },
      "real",
    );
    expect(settings).toMatchObject({
      port: 9001,
      host: "0.0.0.0",
      app: { apiKey: "k", maxBodyBytes: 1024, basePath: "/recsys" },
    });
    expect(() => appOptionsFromEnv({ PORT: "http" }, "real")).toThrow("PORT: expected an integer");
    expect(() => appOptionsFromEnv({ RECSYS_DEV: "maybe" }, "real")).toThrow("RECSYS_DEV");
  });
});

describe("store failures answer 503 with a JSON error", () => {
  it("a failing buffer: nothing stored, 503; a failing model store: events kept, 503 saying so; /ready reports it", async () => {
    const components = embeddedComponents();
    let failAppend = true;
    let failModels = false;
    const buffer = components.eventBuffer;
    const originalAppend = buffer.append.bind(buffer);
    buffer.append = async (events) => {
      if (failAppend) throw new StoreUnavailableError("events", "connection refused");
      return originalAppend(events);
    };
    const models = components.modelStore;
    const originalSave = models.saveSignals.bind(models);
    models.saveSignals = async (s) => {
      if (failModels) throw new StoreUnavailableError("models", "timeout");
      return originalSave(s);
    };
    models.ping = async () => {
      if (failModels) throw new StoreUnavailableError("models", "timeout");
    };
    const server = await startServer(components, { clock: () => BB_NOW });
    try {
      const first = await post(`${server.url}/recsys/api/ingest`, calls());
      expect(first.status).toBe(503);
      expect(first.json).toMatchObject({ error: { code: "store_unavailable" } });
      expect(await buffer.fetchEvents("u-auth")).toEqual([]);
      failAppend = false;
      failModels = true;
      const second = await post(`${server.url}/recsys/api/ingest`, calls());
      expect(second.status).toBe(503);
      expect(second.json).toMatchObject({
        error: { code: "store_unavailable", details: { events_stored: 2, users: ["u-auth"] } },
      });
      expect(await buffer.fetchEvents("u-auth")).toHaveLength(2);
      const ready = await get(`${server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(ready.json).toEqual({
        status: "unavailable",
        stores: { content: "ok", events: "ok", models: "unavailable", tenants: "ok" },
      });
      failModels = false;
      expect((await post(`${server.url}/recsys/api/ingest`, calls())).status).toBe(200);
      expect((await get(`${server.url}/ready`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
