import { ConfigError, DEFAULT_REC_CONFIG } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { CONFIG_ENV_BINDINGS, resolveConfig } from "./config.js";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveConfig", () => {
  it("returns every reference default without env or partial", () => {
    const cfg = resolveConfig();
    expect(cfg).toEqual(DEFAULT_REC_CONFIG);
    expect(cfg.fusion).toEqual({
      tag: 0.45,
      semantic: 0.2,
      affinity: 0.1,
      recency: 0.05,
      aversion: -0.3,
      geo: 0.2,
    });
    expect(cfg.engagement).toEqual({ dwell: 0.4, completion: 0.3, revisit: 0.2, survey: 0.1 });
    expect(cfg.final_limit).toBe(10);
    expect(cfg.distractor_slots).toEqual([3, 4]);
  });

  it("applies the reference's environment overrides", () => {
    const cfg = resolveConfig(
      {},
      {
        RECSYS_W_SEMANTIC: "0.5",
        RECSYS_W_AVERSION: "-0.4",
        RECSYS_MMR_LAMBDA: "0.9",
        RECSYS_FINAL_LIMIT: "8",
        RECSYS_DISTRACTOR_PROBABILITY: "0.5",
        RECSYS_DISTRACTOR_SLOTS: "2, 3,",
        RECSYS_BANDIT_ONLINE: "yes",
        RECSYS_RANKING_MODE: "bandit",
      },
    );
    expect(cfg.fusion.semantic).toBe(0.5);
    expect(cfg.fusion.aversion).toBe(-0.4);
    expect(cfg.mmr_lambda).toBe(0.9);
    expect(cfg.final_limit).toBe(8);
    expect(cfg.distractor_probability).toBe(0.5);
    expect(cfg.distractor_slots).toEqual([2, 3]);
    expect(cfg.bandit_online).toBe(true);
    expect(cfg.ranking_mode).toBe("bandit");
  });

  it("has an environment variable for every tunable", () => {
    const names = CONFIG_ENV_BINDINGS.map((b) => b.variable);
    for (const name of [
      "RECSYS_W_AFFINITY",
      "RECSYS_W_GEO",
      "RECSYS_ENGAGEMENT_DWELL",
      "RECSYS_POSITIVE_THRESHOLD",
      "RECSYS_HALF_LIFE_DAYS",
      "RECSYS_EVENT_WINDOW_DAYS",
      "RECSYS_SURVEY_RULES",
    ]) {
      expect(names).toContain(name);
    }
    const cfg = resolveConfig(
      {},
      { RECSYS_ENGAGEMENT_SURVEY: "0.2", RECSYS_HALF_LIFE_DAYS: "7", RECSYS_W_GEO: "0" },
    );
    expect([cfg.engagement.survey, cfg.half_life_days, cfg.fusion.geo]).toEqual([0.2, 7, 0]);
    expect(resolveConfig({}, { RECSYS_SURVEY_RULES: '{"age_weight": 0.9}' }).survey.age_weight).toBe(0.9);
  });

  it("lets an explicit partial win over the environment, deep-merging nested groups", () => {
    const cfg = resolveConfig(
      { fusion: { tag: 0.5 }, mmr_lambda: 0.6 },
      { RECSYS_W_TAG: "0.9", RECSYS_W_GEO: "0.1" },
    );
    expect(cfg.fusion).toEqual({ ...DEFAULT_REC_CONFIG.fusion, tag: 0.5, geo: 0.1 });
    expect(cfg.mmr_lambda).toBe(0.6);
  });

  it("treats empty variables as unset", () => {
    expect(resolveConfig({}, { RECSYS_W_TAG: "  " }).fusion.tag).toBe(0.45);
  });

  it("names the variable when a value does not parse or is out of range", () => {
    expect(configError(() => resolveConfig({}, { RECSYS_W_TAG: "abc" })).variable).toBe("RECSYS_W_TAG");
    expect(configError(() => resolveConfig({}, { RECSYS_FINAL_LIMIT: "8.5" })).message).toBe(
      'RECSYS_FINAL_LIMIT: expected an integer, got "8.5"',
    );
    expect(configError(() => resolveConfig({}, { RECSYS_MMR_LAMBDA: "5" })).variable).toBe(
      "RECSYS_MMR_LAMBDA",
    );
    expect(configError(() => resolveConfig({}, { RECSYS_DISTRACTOR_SLOTS: "2,x" })).variable).toBe(
      "RECSYS_DISTRACTOR_SLOTS",
    );
    expect(configError(() => resolveConfig({}, { RECSYS_BANDIT_ONLINE: "maybe" })).variable).toBe(
      "RECSYS_BANDIT_ONLINE",
    );
    expect(configError(() => resolveConfig({}, { RECSYS_RANKING_MODE: "magic" })).variable).toBe(
      "RECSYS_RANKING_MODE",
    );
    expect(configError(() => resolveConfig({}, { RECSYS_SURVEY_RULES: "{" })).variable).toBe(
      "RECSYS_SURVEY_RULES",
    );
  });

  it("names the config path for a bad partial: unknown keys, wrong types, ranges", () => {
    expect(configError(() => resolveConfig({ mmr_lamda: 0.5 })).variable).toBe("mmr_lamda");
    expect(configError(() => resolveConfig({ fusion: { tga: 1 } })).variable).toBe("fusion.tga");
    expect(configError(() => resolveConfig({ final_limit: "10" })).variable).toBe("final_limit");
    expect(configError(() => resolveConfig({ distractor_slots: [] })).variable).toBe("distractor_slots");
    expect(configError(() => resolveConfig({ positive_threshold: -0.1 })).message).toContain(
      "negative_threshold must be below positive_threshold",
    );
    expect(configError(() => resolveConfig([])).variable).toBe("config");
  });
});
