import { startRedisServer } from "@recsys/adapters-redis/testing";
import { describe, expect, it } from "vitest";
import { startProcess } from "./helpers.js";

const GLOBAL = "replica-global-key-0123456789";

/** Poll `check` until it holds or 2 s passed; returns the milliseconds it took, or null. */
async function within2s(check: () => Promise<boolean>): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < 2000) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  return (await check()) ? Date.now() - started : null;
}

const whoami = (url: string, key: string) =>
  fetch(`${url}/api/whoami`, { headers: { "x-api-key": key } }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { result?: { tenant: string } },
  }));

describe("tenants across replicas (docs/behaviour.md §7.7)", () => {
  it("a key minted on one replica works on the other, and a revoked or deleted key stops on every replica within 2 s", async () => {
    const redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, RECSYS_API_KEY: GLOBAL, RECSYS_DEV: "" };
    const a = startProcess(env);
    const b = startProcess(env);
    try {
      const [urlA, urlB] = [await a.url, await b.url];
      const admin = (url: string, method: string, path: string, body?: unknown) =>
        fetch(`${url}/api${path}`, {
          method,
          headers: { "content-type": "application/json", "x-api-key": GLOBAL },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
      const created = await admin(urlA, "POST", "/tenants", { tenant_id: "alpha", generate_api_key: true });
      expect(created.status).toBe(200);
      const key = created.json.api_key as string;
      const minted = await admin(urlA, "POST", "/tenants/alpha/keys");
      const second = minted.json.api_key as string;
      const secondId = (minted.json.key as { id: string }).id;

      // B learns of the new tenant and both keys within 2 s.
      expect(
        await within2s(async () => (await whoami(urlB, second)).body.result?.tenant === "alpha"),
      ).not.toBeNull();
      expect((await whoami(urlB, key)).body.result).toMatchObject({ tenant: "alpha" });
      // alpha's key writes through B, read through A: one tenant's data, whichever replica.
      const ingest = await fetch(`${urlB}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key, "x-tenant-id": "default" },
        body: JSON.stringify({
          type: "track",
          event: "CONTENT_VIEW_ENDED",
          userId: "u1",
          properties: { content: { content_id: "101" }, dwell_seconds: 60, end_reason: "next_button" },
        }),
      });
      expect(ingest.status).toBe(200);
      const model = await fetch(`${urlA}/api/usermodel?user_id=u1`, { headers: { "x-api-key": key } }).then(
        (r) => r.json(),
      );
      expect(model).toMatchObject({ result: { user_id: "u1" } });
      const defaults = await fetch(`${urlA}/api/usermodel?user_id=u1`, {
        headers: { "x-api-key": GLOBAL },
      }).then((r) => r.json());
      expect(defaults).toEqual({ result: null });

      // A revoked key: refused by A at once and by B within 2 s; the other key still works.
      expect((await admin(urlA, "DELETE", `/tenants/alpha/keys/${secondId}`)).status).toBe(200);
      expect((await whoami(urlA, second)).status).toBe(401);
      const revoked = await within2s(async () => (await whoami(urlB, second)).status === 401);
      expect(revoked).not.toBeNull();
      expect((await whoami(urlB, key)).status).toBe(200);

      // A deleted tenant: its key stops on both replicas within 2 s.
      expect((await admin(urlB, "DELETE", "/tenants/alpha")).status).toBe(200);
      expect((await whoami(urlB, key)).status).toBe(401);
      const deleted = await within2s(async () => (await whoami(urlA, key)).status === 401);
      expect(deleted).not.toBeNull();
      process.stdout.write(
        `replica B refused a revoked key after ${revoked} ms; replica A a deleted tenant's after ${deleted} ms\n`,
      );
    } finally {
      for (const p of [a, b]) p.child.kill("SIGTERM");
      await Promise.all([a, b].map(({ child }) => new Promise((r) => child.once("exit", r))));
      await redis.stop();
    }
  }, 60_000);
});
