import { startRedisServer } from "@recsys/adapters-redis/testing";
import { assignVariant } from "@recsys/core";
import { engagementStrength, estimateReadingSeconds } from "@recsys/core/model";
import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import type { ServedEntry } from "@recsys/ports";
import { afterAll, describe, expect, it } from "vitest";
import { closeApp, createApp } from "../src/app.js";
import { embeddedComponents, get, post, type Running, startProcess, startServer } from "./helpers.js";

const HOUR = 3_600_000;

interface Served {
  request_id: string;
  strategy: string;
  items: { id: string; role: string; relevance_score: number; features: number[] }[];
  diagnostics: { ranking?: string; ranking_version?: number };
}

/** The Appendix B visitor's two long views, then a recommendation for them. */
async function warmVisitor(api: string, nowMs: number): Promise<Served> {
  const calls = [
    ...rudderstackViews("visitor-b", "101", 120, "next_button", nowMs - HOUR),
    ...rudderstackViews("visitor-b", "102", 120, "next_button", nowMs - HOUR),
  ];
  expect((await post(`${api}/ingest`, calls)).status).toBe(200);
  const res = await get(`${api}/recommend?user_id=visitor-b&seed=1`);
  expect(res.status).toBe(200);
  return (res.json as { result: Served }).result;
}

/** A view of a served item that echoes the list's request id, as RudderStack carries it. */
function rewardCalls(requestId: string, contentId: string, nowMs: number, where: "properties" | "context") {
  return rudderstackViews("visitor-b", contentId, 200, "next_button", nowMs - 10 * 60_000).map((call, i) => ({
    ...call,
    messageId: `reward-${requestId}-${contentId}-${i}`,
    properties:
      where === "properties"
        ? { ...call.properties, request_id: requestId }
        : { ...call.properties, context: { ...(call.properties.context as object), request_id: requestId } },
  }));
}

describe("learning from feedback on the embedded default (docs/behaviour.md §6.12)", () => {
  const servers: Running[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });
  const serve = async (partial = {}) => {
    const components = embeddedComponents(partial);
    const server = await startServer(components, { clock: () => BB_NOW });
    servers.push(server);
    return { components, api: `${server.url}/recsys/api` };
  };

  it("logs every served list: request id, user, strategy, policy, and each item's rank, role, score, breakdown and features", async () => {
    const { components, api } = await serve();
    const served = await warmVisitor(api, BB_NOW);
    const [entry] = await components.servedLog.recent({ userId: "visitor-b" });
    expect(entry).toMatchObject({
      request_id: served.request_id,
      user_id: "visitor-b",
      ts: new Date(BB_NOW).toISOString(),
      strategy: "warm",
      ranking: "static",
      policy_version: 0,
      variant: null,
      filter: null,
    });
    expect(entry!.items.map((i) => [i.id, i.role, i.relevance_score, i.features])).toEqual(
      served.items.map((i) => [i.id, i.role, i.relevance_score, i.features]),
    );
    expect(entry!.items.map((i) => i.rank)).toEqual(served.items.map((_, i) => i + 1));
  });

  it("bandit: a view echoing the request id is a reward, learned once; a re-delivery earns nothing", async () => {
    const { components, api } = await serve({ ranking_mode: "bandit", bandit_explore: false });
    const served = await warmVisitor(api, BB_NOW);
    expect(served.diagnostics).toMatchObject({ ranking: "bandit", ranking_version: 0 });
    const target = served.items.find((i) => i.role === "target")!;
    const calls = rewardCalls(served.request_id, target.id, BB_NOW, "properties");
    const first = await post(`${api}/ingest`, calls);
    expect(first.json).toMatchObject({ ingested: 2, rewards: 1, bandit_updates: 1 });
    const again = await post(`${api}/ingest`, calls);
    expect(again.json).toMatchObject({ ingested: 0, duplicates: 2, rewards: 0, bandit_updates: 0 });
    // an item that was not in the list, or a list never served, earns nothing
    const stranger = await post(`${api}/ingest`, rewardCalls(served.request_id, "999", BB_NOW, "context"));
    expect(stranger.json).toMatchObject({ rewards: 0, bandit_updates: 0 });

    const policy = (await get(`${api}/policy`)).json as {
      result: {
        mode: string;
        prior: number[];
        theta: number[];
        trained: boolean;
        health: { n_updates: number };
      };
    };
    expect(policy.result).toMatchObject({ mode: "bandit", trained: true, health: { n_updates: 1 } });
    expect(policy.result.prior).toEqual([0.2, 0.1, 0.45, 0.05, -0.3, 0.2]);
    expect(policy.result.theta).not.toEqual(policy.result.prior);
    expect((await components.feedback.policySums()).n_updates).toBe(1);
    // the next list is ranked by the policy at version 1
    const next = (await get(`${api}/recommend?user_id=visitor-b&seed=1`)).json as { result: Served };
    expect(next.result.diagnostics).toMatchObject({ ranking: "bandit", ranking_version: 1 });
  });

  it("reads the request id where RudderStack carries it: properties.context too", async () => {
    const { api } = await serve({ ranking_mode: "bandit" });
    const served = await warmVisitor(api, BB_NOW);
    const target = served.items.find((i) => i.role === "target")!;
    const res = await post(`${api}/ingest`, rewardCalls(served.request_id, target.id, BB_NOW, "context"));
    expect(res.json).toMatchObject({ rewards: 1, bandit_updates: 1 });
  });

  it("static: rewards are attributed (and counted), the policy does not learn", async () => {
    const { components, api } = await serve();
    const served = await warmVisitor(api, BB_NOW);
    const target = served.items.find((i) => i.role === "target")!;
    const res = await post(`${api}/ingest`, rewardCalls(served.request_id, target.id, BB_NOW, "properties"));
    expect(res.json).toMatchObject({ rewards: 1, bandit_updates: 0 });
    expect((await components.feedback.policySums()).n_updates).toBe(0);
    const policy = (await get(`${api}/policy`)).json as { result: { mode: string; trained: boolean } };
    expect(policy.result).toMatchObject({ mode: "static", trained: false });
  });

  it("online metrics: impressions, clicks, CTR@k and mean reward per strategy and policy, as JSON and in /metrics", async () => {
    const { components, api } = await serve();
    const served = await warmVisitor(api, BB_NOW);
    await get(`${api}/recommend?user_id=nobody-yet`); // a cold list, no click
    const targets = served.items.filter((i) => i.role === "target");
    const clicked = targets[1]!; // rank 2 or 3 (the distractor may sit before it)
    const rank = served.items.indexOf(clicked) + 1;
    await post(`${api}/ingest`, rewardCalls(served.request_id, clicked.id, BB_NOW, "properties"));
    const [hit] = await components.contentStore.query([{ kind: "ids", ids: [clicked.id] }]);
    const reward = engagementStrength(
      {
        dwellSeconds: 200,
        estimateSeconds: estimateReadingSeconds(hit![0]!.content, components.cfg),
        endReason: "next_button",
        visits: 1,
        rating: null,
      },
      components.cfg,
    );
    const summary = ((await get(`${api}/metrics`)).json as { result: Record<string, unknown> }).result;
    expect(summary).toMatchObject({ recommends: 2, cold: 1, warm: 1, cold_rate: 0.5, source: "process" });
    const feedback = summary.feedback as Record<string, unknown>[];
    const warm = feedback.find((g) => g.strategy === "warm")!;
    const shown = targets.length;
    expect(warm).toMatchObject({ ranking: "static", variant: null, lists: 1, impressions: shown, clicks: 1 });
    expect(warm.ctr).toBe(1 / shown);
    const targetsUpTo = (k: number) => served.items.slice(0, k).filter((i) => i.role === "target").length;
    expect(warm.ctr_at).toEqual({
      "1": 0,
      "3": rank <= 3 ? 1 / targetsUpTo(3) : 0,
      "5": 1 / targetsUpTo(5),
      "10": 1 / targetsUpTo(10),
    });
    expect(warm.mean_reward).toBeCloseTo(reward, 12);
    expect(feedback.find((g) => g.strategy === "cold")).toMatchObject({ clicks: 0, ctr: 0 });
    const text = (await get(`${api.replace(/\/recsys\/api$/, "")}/metrics`)).text;
    expect(text).toContain(
      `recsys_clicks_total{strategy="warm",ranking="static",variant="",rank="${rank}",tenant="default"} 1`,
    );
    expect(text).toMatch(
      /recsys_reward_count\{strategy="warm",ranking="static",variant="",tenant="default"\} 1/,
    );
  });

  it("experiments: each user's variant sets their settings and policy, and shows in diagnostics, the served log and metrics", async () => {
    const experiment = {
      name: "exp-1",
      variants: [
        { name: "control", settings: { final_limit: 5 } },
        { name: "learner", settings: { ranking_mode: "bandit", final_limit: 3 } },
      ],
    };
    const { components, api } = await serve({ experiment });
    const seen = new Map<string, { ranking: string | undefined; items: number }>();
    for (let i = 0; i < 40; i++) {
      const res = (await get(`${api}/recommend?user_id=u${i}`)).json as {
        result: Served & { diagnostics: { experiment?: string; variant?: string } };
      };
      const { diagnostics, items } = res.result;
      expect(diagnostics.experiment).toBe("exp-1");
      expect(diagnostics.variant).toBe(assignVariant(components.cfg.experiment!, `u${i}`));
      seen.set(diagnostics.variant!, { ranking: diagnostics.ranking, items: items.length });
    }
    expect(seen.get("control")).toEqual({ ranking: "static", items: 5 });
    expect(seen.get("learner")).toEqual({ ranking: "bandit", items: 3 });
    const logged = await components.servedLog.recent({ limit: 40 });
    for (const entry of logged) {
      expect(entry.variant).toBe(assignVariant(components.cfg.experiment!, entry.user_id));
      expect(entry.ranking).toBe(entry.variant === "learner" ? "bandit" : "static");
    }
    const summary = (
      (await get(`${api}/metrics`)).json as { result: { feedback: { variant: string; lists: number }[] } }
    ).result;
    const lists = Object.fromEntries(summary.feedback.map((g) => [g.variant, g.lists]));
    expect(lists.control! + lists.learner!).toBe(40);
    expect(lists.learner).toBe(logged.filter((e) => e.variant === "learner").length);
  });

  it("a graceful stop waits for served lists still being written", async () => {
    const components = embeddedComponents();
    const written: ServedEntry[] = [];
    components.servedLog.append = async (entry) => {
      await new Promise((r) => setTimeout(r, 300));
      written.push(entry);
    };
    const app = createApp(components, { dev: true, logger: () => {} });
    const res = await app.request("/recsys/api/recommend?user_id=someone");
    expect(res.status).toBe(200);
    expect(written).toHaveLength(0); // the answer did not wait
    await closeApp(app);
    expect(written.map((e) => e.user_id)).toEqual(["someone"]);
  });
});

describe("two service processes sharing one Redis", () => {
  it("a reward re-delivered to both replicas concurrently is learned once; both rank with it within 2 s", async () => {
    const redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "replicas", RECSYS_RANKING_MODE: "bandit" };
    const a = startProcess(env);
    const b = startProcess(env);
    try {
      const [apiA, apiB] = [`${await a.url}/api`, `${await b.url}/api`];
      const now = Date.now();
      const served = await warmVisitor(apiA, now);
      const target = served.items.find((i) => i.role === "target")!;
      const calls = rewardCalls(served.request_id, target.id, now, "properties");
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(`${i % 2 === 0 ? apiA : apiB}/ingest`, calls)),
      );
      const sum = (key: string) =>
        answers.reduce((total, res) => total + ((res.json as Record<string, number>)[key] ?? 0), 0);
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(sum("rewards")).toBe(1);
      expect(sum("bandit_updates")).toBe(1);
      expect(sum("ingested")).toBe(2);
      // replica B serves with the shared state within its refresh period
      const deadline = Date.now() + 2000;
      let version = 0;
      while (Date.now() < deadline && version !== 1) {
        const next = (await get(`${apiB}/recommend?user_id=visitor-b`)).json as { result: Served };
        version = next.result.diagnostics.ranking_version ?? -1;
        if (version !== 1) await new Promise((r) => setTimeout(r, 100));
      }
      expect(version).toBe(1);
      const policy = (await get(`${apiB}/policy`)).json as { result: { health: { n_updates: number } } };
      expect(policy.result.health.n_updates).toBe(1);
    } finally {
      a.child.kill("SIGTERM");
      b.child.kill("SIGTERM");
      await Promise.all([a, b].map(({ child }) => new Promise((r) => child.once("exit", r))));
      await redis.stop();
    }
  }, 60_000);
});
