import { startRedisServer } from "@recsys/adapters-redis/testing";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { embeddedComponents, get, startProcess } from "./helpers.js";

const KEY = "settings-key";

function service() {
  const components = embeddedComponents();
  const app = createApp(components, { logger: () => {}, apiKey: KEY });
  const call = (path: string, init: RequestInit = {}, key: string | null = KEY) =>
    app.request(`/recsys/api${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
    });
  const put = (body: unknown) => call("/config", { method: "PUT", body: JSON.stringify(body) });
  return { components, call, put };
}

describe("runtime settings (docs/behaviour.md §3.1)", () => {
  it("GET shows the settings in use; PUT merges a partial, versions it, and the next list uses it", async () => {
    const { call, put, components } = service();
    const initial = (await (await call("/config")).json()) as {
      result: { mmr_lambda: number };
      version: number;
      override: object;
    };
    expect(initial).toMatchObject({ version: 0, override: {}, result: { mmr_lambda: 0.7 } });
    const res = await put({ mmr_lambda: 0.5, fusion: { tag: 0.6 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "applied",
      version: 1,
      override: { mmr_lambda: 0.5, fusion: { tag: 0.6 } },
      result: { mmr_lambda: 0.5, fusion: { tag: 0.6, semantic: 0.2 } },
    });
    expect((await put({ fusion: { semantic: 0.3 } })).status).toBe(200);
    expect(components.cfg.fusion).toMatchObject({ tag: 0.6, semantic: 0.3 }); // merged, not replaced
    const rec = (await (await call("/recommend?user_id=someone")).json()) as {
      result: { diagnostics: { settings_version: number }; request_id: string };
    };
    expect(rec.result.diagnostics.settings_version).toBe(2);
    const [logged] = await components.servedLog.recent();
    expect(logged!.settings_version).toBe("2");
  });

  it("bad values are a 422 naming the field and change nothing; start-only settings are refused", async () => {
    const { call, put, components } = service();
    const cases: [unknown, string][] = [
      [{ mmr_lambda: 2 }, "mmr_lambda"],
      [{ fusion: { tagg: 1 } }, "fusion.tagg"],
      [{ distractor_slots: [] }, "distractor_slots"],
      [{ event_window_days: 5 }, "event_window_days"],
      [
        { experiment: { name: "e", variants: [{ name: "a", settings: { mmr_lambda: -1 } }] } },
        "experiment.variants.0.settings.mmr_lambda",
      ],
      [[1, 2], "config"],
    ];
    for (const [body, field] of cases) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(((await res.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
        field,
      );
    }
    expect((await call("/config", { method: "PUT", body: "{not json" })).status).toBe(400);
    expect(await components.settings.current()).toEqual({ version: 0, override: {} });
  });

  it("reset goes back to the start-up settings; every change is logged with who and what; guarded", async () => {
    const { call, put } = service();
    await put({ final_limit: 4 });
    const reset = (await (await call("/config/reset", { method: "POST" })).json()) as {
      status: string;
      version: number;
      result: { final_limit: number };
    };
    expect(reset).toMatchObject({ status: "reset_to_baseline", version: 2, result: { final_limit: 10 } });
    const changes = (await (await call("/config/changes")).json()) as {
      result: { version: number; action: string; who: string; partial: object }[];
    };
    expect(changes.result.map((c) => [c.version, c.action, c.partial])).toEqual([
      [2, "reset", {}],
      [1, "put", { final_limit: 4 }],
    ]);
    expect(changes.result[0]!.who).toMatch(/^key:[0-9a-f]{12}$/);
    for (const [path, init] of [
      ["/config", {}],
      ["/config", { method: "PUT", body: "{}" }],
      ["/config/reset", { method: "POST" }],
      ["/config/changes", {}],
    ] as const)
      expect((await call(path, init, null)).status).toBe(401);
  });
});

describe("a stored override this version cannot apply", () => {
  it("leaves the start-up settings in use and says why", async () => {
    const components = embeddedComponents();
    await components.settings.update(() => ({ mmr_lambda: 7 }), {
      at: "2026-06-10T10:00:00.000Z",
      who: "test",
      action: "put",
      partial: { mmr_lambda: 7 },
    });
    await expect(components.applySettings()).rejects.toThrow(/mmr_lambda/);
    expect(components.cfg.mmr_lambda).toBe(0.7);
    expect(components.settingsVersion).toBe(0);
    expect(components.settingsError).toMatch(/^runtime settings version 1: .*mmr_lambda/);
  });
});

describe("runtime settings on Redis, two service processes", () => {
  it("a change made on one replica is applied by the other within 2 s, and persists across a restart", async () => {
    const redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "settings" };
    const a = startProcess(env);
    const b = startProcess(env);
    try {
      const [apiA, apiB] = [`${await a.url}/api`, `${await b.url}/api`];
      const put = await fetch(`${apiA}/config`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ final_limit: 3 }),
      });
      expect(put.status).toBe(200);
      const changed = Date.now();
      let seen = 0;
      while (Date.now() - changed < 2000) {
        const rec = (await get(`${apiB}/recommend?user_id=anyone`)).json as {
          result: { items: unknown[]; diagnostics: { settings_version: number } };
        };
        seen = rec.result.diagnostics.settings_version;
        if (seen === 1) {
          expect(rec.result.items).toHaveLength(3);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe(1);
      // a third process started later applies it from the start
      const c = startProcess(env);
      try {
        const config = (await get(`${await c.url}/api/config`)).json as unknown as {
          version: number;
          result: { final_limit: number };
        };
        expect(config).toMatchObject({ version: 1, result: { final_limit: 3 } });
      } finally {
        c.child.kill("SIGTERM");
        await new Promise((r) => c.child.once("exit", r));
      }
    } finally {
      for (const p of [a, b]) p.child.kill("SIGTERM");
      await Promise.all([a, b].map(({ child }) => new Promise((r) => child.once("exit", r))));
      await redis.stop();
    }
  }, 60_000);
});
