import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildComponents, closeApp, createApp } from "@recsys/api";
import { createSeededRandom } from "@recsys/core";
import { BB_NOW } from "@recsys/fakes";
import { describe, expect, it } from "vitest";
import { BB_NOW_ISO, cli, generatedFiles, tempDir } from "./world.js";

interface Served {
  request_id: string;
  items: { id: string; role: string; features: number[] }[];
}

describe("offline learning from the service's own logs (docs/behaviour.md §6.14)", () => {
  it("serve and log, train LinUCB with the CLI, estimate it off-policy, and load it into the service", async () => {
    const dir = tempDir();
    const logDir = join(dir, "log");
    const { catalog, calls } = generatedFiles(dir, 30, 200, 8);
    const env = { RECSYS_CATALOG: catalog, RECSYS_EVENT_LOG_DIR: logDir };
    const components = await buildComponents({}, env, { clock: () => BB_NOW });
    const app = createApp(components, { dev: true, logger: () => {}, clock: () => BB_NOW });
    const post = (body: unknown) =>
      app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(body) });
    expect((await post(calls)).status).toBe(200);
    // Simulated visitors open what is like what they read last (the recency feature).
    const random = createSeededRandom(3);
    let lists = 0;
    let views = 0;
    for (let round = 0; round < 4; round++)
      for (let u = 1; u <= 30; u++) {
        const res = await app.request(`/recsys/api/recommend?user_id=user-${u}&seed=${round}`);
        const served = ((await res.json()) as { result: Served }).result;
        lists++;
        for (const item of served.items) {
          if (item.role !== "target" || random() >= (item.features[3] ?? 0) ** 2) continue;
          views++;
          const properties = {
            content: { content_id: `content_${item.id}` },
            details: { dwell_seconds: 180, reason: "next_button" },
            request_id: served.request_id,
          };
          const ts = new Date(BB_NOW - 60_000).toISOString();
          expect(
            (
              await post({
                type: "track",
                event: "CONTENT_VIEW_ENDED",
                userId: `user-${u}`,
                timestamp: ts,
                properties,
              })
            ).status,
          ).toBe(200);
        }
      }
    await closeApp(app);
    await components.close();
    expect(views).toBeGreaterThan(10);

    const state = join(dir, "linucb.json");
    const trained = await cli([
      "policy",
      "train",
      "--served-log",
      logDir,
      "--events",
      logDir,
      "--out",
      state,
      "--now",
      BB_NOW_ISO,
    ]);
    expect(trained.stderr).toBe("");
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout) as {
      lists: number;
      clicked: number;
      n_updates: number;
      theta: number[];
      prior: number[];
    };
    expect(summary.lists).toBe(lists);
    expect(summary.clicked).toBe(views);
    expect(summary.theta).not.toEqual(summary.prior);
    const file = JSON.parse(readFileSync(state, "utf8")) as {
      A: number[][];
      n_updates: number;
      format: string;
    };
    expect(file.format).toBe("recsys-linucb-1");
    expect(file.n_updates).toBe(summary.n_updates);

    // the logging policy against itself: IPS equals the logged value exactly
    const self = await cli([
      "eval",
      "--served-log",
      logDir,
      "--events",
      logDir,
      "--json",
      "--now",
      BB_NOW_ISO,
    ]);
    expect(self.code).toBe(0);
    const selfReport = JSON.parse(self.stdout) as {
      lists: number;
      matched_impressions: number;
      logging: { ctr: { value: number } };
      candidate: { ips_ctr: { value: number; interval: [number, number] } };
    };
    expect(selfReport.lists).toBe(lists);
    expect(selfReport.candidate.ips_ctr.value).toBeCloseTo(selfReport.logging.ctr.value, 12);
    // the trained policy as the candidate, with intervals
    const evalPolicy = [
      "eval",
      "--served-log",
      logDir,
      "--events",
      logDir,
      "--policy",
      state,
      "--now",
      BB_NOW_ISO,
    ];
    const candidate = await cli([...evalPolicy, "--json"]);
    expect(candidate.code).toBe(0);
    const report = JSON.parse(candidate.stdout) as typeof selfReport;
    const [low, high] = report.candidate.ips_ctr.interval;
    expect(low).toBeLessThanOrEqual(report.candidate.ips_ctr.value);
    expect(high).toBeGreaterThanOrEqual(report.candidate.ips_ctr.value);
    console.log(
      `off-policy: logging CTR ${report.logging.ctr.value.toFixed(4)}, trained LinUCB IPS CTR ${report.candidate.ips_ctr.value.toFixed(4)} [${low.toFixed(4)}, ${high.toFixed(4)}] over ${report.matched_impressions} impressions`,
    );
    const text = await cli(evalPolicy);
    expect(text.stdout).toMatch(/^lists \d+, matched impressions \d+, k 10/);

    // the service loads the state file: its policy is the trained one
    const loaded = await buildComponents(
      { ranking_mode: "bandit" },
      { ...env, RECSYS_BANDIT_STATE: state },
      { clock: () => BB_NOW },
    );
    const loadedApp = createApp(loaded, { dev: true, logger: () => {} });
    const policy = (
      (await (await loadedApp.request("/recsys/api/policy")).json()) as {
        result: { theta: number[]; health: { n_updates: number } };
      }
    ).result;
    expect(policy.health.n_updates).toBe(summary.n_updates);
    for (const [i, t] of policy.theta.entries()) expect(t).toBeCloseTo(summary.theta[i]!, 9);
    await closeApp(loadedApp);
    await loaded.close();
  }, 120_000);
});
