import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assemble, createApp } from "@recsys/api";
import { resolveConfig } from "@recsys/core";
import { BB_NOW, createEmbeddedStores, rudderstackViews } from "@recsys/fakes";
import { describe, expect, it } from "vitest";
import { BB_NOW_ISO, cli, generatedFiles, tempDir, writeJsonl } from "./world.js";

describe("parity: the CLI equals the HTTP service for the same events, config, now and seed", () => {
  it("gives the same user models and the same lists for every user of a generated world", async () => {
    const dir = tempDir();
    const { catalog, calls, points } = generatedFiles(dir, 60, 300, 12);
    // Mix in duplicates, a batch envelope, an identify call and a rejected item, one body per line.
    const extra = [
      ...rudderstackViews("user-1", points[0]!.id, 90, "next_button", BB_NOW - 3_600_000),
      {
        type: "identify",
        userId: "user-2",
        timestamp: BB_NOW_ISO,
        traits: { age: 41, gender: "female", country: "spain" },
      },
      { event: "NO_USER" },
    ];
    const bodies = [...calls.map((c) => [c]), { batch: extra }, extra.slice(0, 2)];
    const events = writeJsonl(join(dir, "events.jsonl"), bodies);
    const config = { distractor_slots: [3], mmr_lambda: 0.65, final_limit: 8 };
    const configPath = join(dir, "config.json");
    writeFileSync(configPath, JSON.stringify(config));

    const cfg = resolveConfig(config);
    const stores = createEmbeddedStores({ catalog: points, sampling: "ascending" });
    const app = createApp(
      assemble(cfg, stores, "embedded", "parity", async () => {}),
      { dev: true, logger: () => {}, clock: () => BB_NOW },
    );
    for (const body of bodies) {
      const res = await app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(body) });
      expect([200, 422]).toContain(res.status);
    }

    const common = [
      "--catalog",
      catalog,
      "--events",
      events,
      "--config",
      configPath,
      "--now",
      BB_NOW_ISO,
      "--sampling",
      "ascending",
      "--workers",
      "1",
    ];
    const out = await cli(["recommend", ...common]);
    expect(out.code).toBe(0);
    const cliLines = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { user_id: string });
    expect(cliLines).toHaveLength(60);
    for (const line of cliLines) {
      const res = await app.request(`/recsys/api/recommend?user_id=${encodeURIComponent(line.user_id)}`);
      const { result } = (await res.json()) as { result: Record<string, unknown> };
      expect(line).toEqual({
        user_id: result.user_id,
        strategy: result.strategy,
        items: result.items,
        diagnostics: result.diagnostics,
      });
    }
    for (const userId of ["user-1", "user-2", "user-17"]) {
      const model = JSON.parse((await cli(["usermodel", ...common, "--user", userId])).stdout);
      const res = await app.request(`/recsys/api/usermodel?user_id=${userId}`);
      expect(model).toEqual(((await res.json()) as { result: unknown }).result);
    }
  }, 60_000);
});
