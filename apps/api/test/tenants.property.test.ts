import { createRedisClient, waitUntilReady } from "@recsys/adapters-redis";
import { startRedisServer, type TestRedisServer } from "@recsys/adapters-redis/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type TenantService,
  tenantCatalog,
  tenantEvents,
  tenantService,
  writeCatalogs,
} from "./tenant-world.js";

// Three tenants, each with a catalogue of its own (ids 1001–1060, 2001–2060, 3001–3060) and its own
// traffic over the same user ids (user-1 … user-4), driven through the HTTP API in random interleavings.
const TENANTS = ["alpha", "beta", "gamma"] as const;
type Tenant = (typeof TENANTS)[number];
const OFFSETS: Record<Tenant, number> = { alpha: 1000, beta: 2000, gamma: 3000 };
const CATALOGS = Object.fromEntries(TENANTS.map((t, i) => [t, tenantCatalog(OFFSETS[t], 21 + i)])) as Record<
  Tenant,
  ReturnType<typeof tenantCatalog>
>;
const FILES = writeCatalogs(CATALOGS) as Record<Tenant, string>;
/** Each tenant's traffic in batches of 6 calls, consumed in order. */
const BATCHES = Object.fromEntries(
  TENANTS.map((t, i) => {
    const events = tenantEvents(CATALOGS[t], 40 + i, 2 + i, 12);
    const batches: Record<string, unknown>[][] = [];
    for (let j = 0; j < events.length; j += 6) batches.push(events.slice(j, j + 6));
    return [t, batches];
  }),
) as Record<Tenant, Record<string, unknown>[][]>;
const USERS = ["user-1", "user-2", "user-3", "user-4"];
/** Bandit updates over all runs: the policy-state checks must have had something to check. */
let learned = 0;

type Command =
  | { kind: "ingest"; tenant: number; viaGlobal: boolean }
  | { kind: "recommend"; tenant: number; user: number; reward: boolean }
  | { kind: "settings"; tenant: number; lambda: number }
  | { kind: "admin"; tenant: number; limit: number }
  | { kind: "churn"; tenant: number }
  | { kind: "read"; tenant: number; user: number };

const tenantIndex = fc.integer({ min: 0, max: 2 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("ingest" as const),
      tenant: tenantIndex,
      viaGlobal: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("recommend" as const),
      tenant: tenantIndex,
      user: fc.integer({ min: 0, max: 3 }),
      reward: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("settings" as const),
      tenant: tenantIndex,
      lambda: fc.integer({ min: 1, max: 9 }).map((x) => x / 10),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("admin" as const),
      tenant: tenantIndex,
      limit: fc.integer({ min: 2, max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("churn" as const), tenant: tenantIndex }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      tenant: tenantIndex,
      user: fc.integer({ min: 0, max: 3 }),
    }),
  },
);

/** What each tenant should see: only what was done to it. */
interface Expected {
  key: string;
  batches: number;
  bodies: unknown[];
  users: Set<string>;
  lambda: number;
  limit: number;
  settingsVersion: number;
  banditUpdates: number;
}

async function runCommands(
  s: TenantService,
  commands: readonly Command[],
): Promise<Record<Tenant, Expected>> {
  const expected = {} as Record<Tenant, Expected>;
  for (const t of TENANTS) {
    const res = await s.call("POST", "/tenants", {
      body: {
        tenant_id: t,
        catalog: FILES[t],
        generate_api_key: true,
        settings: t === "alpha" ? { ranking_mode: "bandit", final_limit: 6 } : { final_limit: 6 },
      },
    });
    expect(res.status).toBe(200);
    expected[t] = {
      key: res.json.api_key as string,
      batches: 0,
      bodies: [],
      users: new Set(),
      lambda: 0.7,
      limit: 6,
      settingsVersion: 0,
      banditUpdates: 0,
    };
  }
  const as = (t: Tenant, viaGlobal = false) =>
    viaGlobal ? { tenant: t } : { key: expected[t].key, tenant: "default" };
  const owns = (t: Tenant, id: string) => Number(id) > OFFSETS[t] && Number(id) <= OFFSETS[t] + 60;
  const ingest = async (t: Tenant, body: unknown, viaGlobal = false) => {
    const res = await s.call("POST", "/ingest", { ...as(t, viaGlobal), body });
    expect(res.status).toBe(200);
    expected[t].bodies.push(body);
    for (const user of res.json.users as string[]) expected[t].users.add(user);
    expected[t].banditUpdates += res.json.bandit_updates as number;
  };

  for (const c of commands) {
    const t = TENANTS[c.tenant]!;
    const e = expected[t];
    switch (c.kind) {
      case "ingest": {
        const batch = BATCHES[t][e.batches];
        if (!batch) break;
        e.batches++;
        await ingest(t, batch, c.viaGlobal);
        break;
      }
      case "recommend": {
        const user = USERS[c.user]!;
        const res = await s.call("GET", `/recommend?user_id=${user}`, as(t));
        expect(res.status).toBe(200);
        const result = res.json.result as {
          request_id: string;
          items: { id: string; role: string }[];
          diagnostics: { settings_version?: number; ranking?: string };
        };
        // Only the tenant's own items, ranked under its own settings.
        for (const item of result.items) expect(owns(t, item.id), `${t} served ${item.id}`).toBe(true);
        expect(result.items.length).toBeLessThanOrEqual(e.limit);
        expect(result.diagnostics.settings_version ?? 0).toBe(e.settingsVersion);
        expect(result.diagnostics.ranking ?? "static").toBe(t === "alpha" ? "bandit" : "static");
        const target = result.items.find((i) => i.role === "target");
        if (c.reward && target) {
          await ingest(t, {
            type: "track",
            event: "CONTENT_VIEW_ENDED",
            userId: user,
            timestamp: "2026-06-10T11:59:00Z",
            properties: {
              content: { content_id: target.id },
              dwell_seconds: 120,
              end_reason: "next_button",
              request_id: result.request_id,
            },
          });
        }
        break;
      }
      case "settings": {
        const res = await s.call("PUT", "/config", { ...as(t), body: { mmr_lambda: c.lambda } });
        expect(res.status).toBe(200);
        e.lambda = c.lambda;
        e.settingsVersion++;
        break;
      }
      case "admin": {
        // A spec change rebuilds the tenant's components; its data must stay.
        const res = await s.call("POST", "/tenants", {
          body: {
            tenant_id: t,
            name: `${t} ${c.limit}`,
            settings:
              t === "alpha" ? { ranking_mode: "bandit", final_limit: c.limit } : { final_limit: c.limit },
          },
        });
        expect(res.status).toBe(200);
        e.limit = c.limit;
        break;
      }
      case "churn": {
        // A tenant created, written to and deleted with its data, beside the others.
        const made = await s.call("POST", "/tenants", {
          body: { tenant_id: "delta", generate_api_key: true },
        });
        const key = made.json.api_key as string;
        const res = await s.call("POST", "/ingest", { key, body: BATCHES[t][0] });
        expect(res.status).toBe(200);
        expect((await s.call("DELETE", "/tenants/delta?purge=true")).status).toBe(200);
        expect((await s.call("GET", "/whoami", { key })).status).toBe(401);
        break;
      }
      case "read": {
        const user = USERS[c.user]!;
        const model = (await s.call("GET", `/usermodel?user_id=${user}`, as(t))).json.result as {
          user_id: string;
          positives: Record<string, number>;
        } | null;
        if (!e.users.has(user)) expect(model).toBeNull();
        else
          for (const id of Object.keys(model!.positives))
            expect(owns(t, id), `${t} model has ${id}`).toBe(true);
        const users = (await s.call("GET", "/users", as(t))).json.result as { user_id: string }[];
        for (const u of users) expect(e.users.has(u.user_id), `${t} lists ${u.user_id}`).toBe(true);
        break;
      }
    }
  }

  // Every read of settings and policy state is the tenant's own.
  for (const t of TENANTS) {
    const e = expected[t];
    const config = (await s.call("GET", "/config", as(t))).json as {
      version: number;
      result: { mmr_lambda: number; final_limit: number; ranking_mode: string };
    };
    expect(config.version).toBe(e.settingsVersion);
    expect(config.result).toMatchObject({
      mmr_lambda: e.lambda,
      final_limit: e.limit,
      ranking_mode: t === "alpha" ? "bandit" : "static",
    });
    const policy = (await s.call("GET", "/policy", as(t))).json.result as { health: { n_updates: number } };
    expect(policy.health.n_updates).toBe(e.banditUpdates);
    learned += e.banditUpdates;
    if (t !== "alpha") expect(e.banditUpdates).toBe(0);
  }
  return expected;
}

/** Every tenant's models equal those of a service that only ever saw that tenant's events. */
async function compareWithIsolated(
  s: TenantService,
  expected: Record<Tenant, Expected>,
  isolatedEnv: (t: Tenant) => Record<string, string>,
): Promise<void> {
  for (const t of TENANTS) {
    const alone = await tenantService({ RECSYS_CATALOG: FILES[t], ...isolatedEnv(t) });
    try {
      for (const body of expected[t].bodies)
        expect((await alone.call("POST", "/ingest", { body })).status).toBe(200);
      for (const user of USERS) {
        const mine = (await s.call("GET", `/usermodel?user_id=${user}`, { key: expected[t].key })).json
          .result;
        const theirs = (await alone.call("GET", `/usermodel?user_id=${user}`)).json.result;
        expect(mine, `${t} ${user}`).toEqual(theirs);
      }
    } finally {
      await alone.close();
    }
  }
}

describe("tenants never see each other (docs/behaviour.md §7.7): random interleavings over 3 tenants", () => {
  it("on the embedded default", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 15, maxLength: 45 }), async (commands) => {
        const s = await tenantService({});
        try {
          const expected = await runCommands(s, commands);
          await compareWithIsolated(s, expected, () => ({}));
        } finally {
          await s.close();
        }
      }),
      { numRuns: 8 },
    );
    expect(learned).toBeGreaterThan(0);
  }, 120_000);

  describe("on a real redis-server", () => {
    let redis: TestRedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it("with the same commands", async () => {
      const client = createRedisClient(redis.url);
      await waitUntilReady(client);
      try {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(command, { minLength: 15, maxLength: 45 }), async (commands) => {
            await client.flushall();
            run++;
            const s = await tenantService({ REDIS_URL: redis.url });
            try {
              const expected = await runCommands(s, commands);
              await compareWithIsolated(s, expected, (t) => ({
                REDIS_URL: redis.url,
                RECSYS_REDIS_PREFIX: `isolated-${run}-${t}`,
              }));
            } finally {
              await s.close();
            }
          }),
          { numRuns: 5 },
        );
        expect(learned).toBeGreaterThan(0);
      } finally {
        client.disconnect();
      }
    }, 180_000);
  });
});
