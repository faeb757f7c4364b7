import { ConfigError, DEFAULT_REC_CONFIG, safeParseRecConfig } from "@recsys/ports";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFIG_ENV_BINDINGS, CONFIG_ENV_VARIABLES, checkEnvironment, resolveConfig } from "./config.js";

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
        RECSYS_FILTER_RESHOW_WHEN_EXHAUSTED: "no",
        RECSYS_RANKING_MODE: "static",
      },
    );
    expect(cfg.fusion.semantic).toBe(0.5);
    expect(cfg.fusion.aversion).toBe(-0.4);
    expect(cfg.mmr_lambda).toBe(0.9);
    expect(cfg.final_limit).toBe(8);
    expect(cfg.distractor_probability).toBe(0.5);
    expect(cfg.distractor_slots).toEqual([2, 3]);
    expect(cfg.filter_reshow_when_exhausted).toBe(false);
    expect(cfg.ranking_mode).toBe("static");
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
    expect(configError(() => resolveConfig({}, { RECSYS_DISTRACTOR_ENABLED: "maybe" })).variable).toBe(
      "RECSYS_DISTRACTOR_ENABLED",
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
    expect(configError(() => resolveConfig({ mmr_lamda: 0.5 })).message).toBe(
      "mmr_lamda: unknown key; did you mean mmr_lambda?",
    );
    expect(configError(() => resolveConfig({ fusion: { tga: 1 } })).variable).toBe("fusion.tga");
    expect(configError(() => resolveConfig({ final_limit: "10" })).variable).toBe("final_limit");
    expect(configError(() => resolveConfig({ distractor_slots: [] })).variable).toBe("distractor_slots");
    expect(configError(() => resolveConfig({ positive_threshold: -0.1 })).message).toContain(
      "negative_threshold must be below positive_threshold",
    );
    expect(configError(() => resolveConfig([])).variable).toBe("config");
  });
});

/** What the settings schema alone makes of a value. */
function schemaParse(value: unknown) {
  const result = safeParseRecConfig(value);
  if (!result.success) throw new Error(`${result.issue.path}: ${result.issue.message}`);
  return result.output;
}

describe("the settings schema is the one source", () => {
  it("derives every variable's kind from the schema", () => {
    const kinds = Object.fromEntries(CONFIG_ENV_BINDINGS.map((b) => [b.variable, b.kind]));
    expect(kinds).toMatchObject({
      RECSYS_W_TAG: "number",
      RECSYS_ENGAGEMENT_DWELL: "number",
      RECSYS_FINAL_LIMIT: "integer",
      RECSYS_POOL_PER_GENERATOR: "integer",
      RECSYS_AFFINITY_TOP_K: "integer",
      RECSYS_COLD_START_MIN_POSITIVES: "integer",
      RECSYS_MMR_LAMBDA: "number",
      RECSYS_DISTRACTOR_ENABLED: "boolean",
      RECSYS_DISTRACTOR_STRATEGY: "string",
      RECSYS_RANKING_MODE: "string",
      RECSYS_DISTRACTOR_SLOTS: "integer-list",
      RECSYS_SURVEY_RULES: "json",
    });
    // One variable per setting: every top-level key and every fusion/engagement member.
    const paths = CONFIG_ENV_BINDINGS.map((b) => b.path.join("."));
    const expected = Object.entries(DEFAULT_REC_CONFIG).flatMap(([key, value]) =>
      key === "fusion" || key === "engagement"
        ? Object.keys(value as object).map((sub) => `${key}.${sub}`)
        : [key],
    );
    expect(paths.sort()).toEqual(expected.sort());
    expect(new Set(CONFIG_ENV_VARIABLES).size).toBe(CONFIG_ENV_VARIABLES.length);
  });

  it("accepts no setting it does not use: the reference's geo_radius_m is an unknown key", () => {
    expect(configError(() => resolveConfig({ geo_radius_m: 1 })).variable).toBe("geo_radius_m");
    expect(configError(() => resolveConfig({ ranking_mode: "neural" })).variable).toBe("ranking_mode");
    expect(resolveConfig({ ranking_mode: "bandit", bandit_alpha: 0 })).toMatchObject({
      ranking_mode: "bandit",
      bandit_alpha: 0,
      bandit_ridge: 1,
      bandit_explore: true,
      bandit_online: true,
    });
  });

  it("property: resolveConfig of a random partial equals the schema's parse of it, defaults elsewhere", () => {
    const partial = fc.record(
      {
        mmr_lambda: fc.double({ min: 0, max: 1, noNaN: true }),
        final_limit: fc.integer({ min: 1, max: 100 }),
        pool_per_generator: fc.integer({ min: 1, max: 1000 }),
        distractor_enabled: fc.boolean(),
        distractor_strategy: fc.constantFrom("max_dissimilar", "unexplored_theme", "random" as const),
        distractor_slots: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }),
        cold_start_min_positives: fc.integer({ min: 0, max: 1000 }),
        fusion: fc.record(
          {
            tag: fc.double({ min: -2, max: 2, noNaN: true }),
            geo: fc.double({ min: -2, max: 2, noNaN: true }),
          },
          { requiredKeys: [] },
        ),
        survey: fc.record({ age_weight: fc.double({ min: 0, max: 1, noNaN: true }) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(partial, (p) => {
        const cfg = resolveConfig(p);
        expect(cfg).toEqual(schemaParse(p));
        for (const [key, value] of Object.entries(DEFAULT_REC_CONFIG)) {
          const given = (p as Record<string, unknown>)[key];
          if (given === undefined) expect((cfg as Record<string, unknown>)[key]).toEqual(value);
          else if (typeof value === "object" && !Array.isArray(value)) {
            expect((cfg as Record<string, unknown>)[key]).toEqual({ ...value, ...(given as object) });
          } else expect((cfg as Record<string, unknown>)[key]).toEqual(given);
        }
      }),
      { numRuns: 200 },
    );
    expect(resolveConfig()).toEqual(schemaParse({}));
    expect(resolveConfig(DEFAULT_REC_CONFIG)).toEqual(DEFAULT_REC_CONFIG);
  });
});

describe("checkEnvironment", () => {
  it("stops on a misspelt RECSYS_ variable, naming it and the nearest valid one", () => {
    const error = configError(() => checkEnvironment({ RECSYS_MMR_LAMDA: "0.5" }, []));
    expect(error.variable).toBe("RECSYS_MMR_LAMDA");
    expect(error.message).toBe("RECSYS_MMR_LAMDA: unknown variable; did you mean RECSYS_MMR_LAMBDA?");
    expect(
      configError(() => checkEnvironment({ RECSYS_REDIS_PREFX: "a" }, ["RECSYS_REDIS_PREFIX"])).message,
    ).toBe("RECSYS_REDIS_PREFX: unknown variable; did you mean RECSYS_REDIS_PREFIX?");
    expect(configError(() => checkEnvironment({ RECSYS_ZZZZZZZZZZZZ: "1" }, [])).message).toBe(
      "RECSYS_ZZZZZZZZZZZZ: unknown variable",
    );
  });

  it("accepts every settings variable, the known ones, and anything without the prefix", () => {
    const env = Object.fromEntries(CONFIG_ENV_VARIABLES.map((name) => [name, "1"]));
    expect(() =>
      checkEnvironment({ ...env, RECSYS_CATALOG: "x", PATH: "/bin", REDIS_URL: "r" }, ["RECSYS_CATALOG"]),
    ).not.toThrow();
  });
});

describe("docs/behaviour.md §3 lists every setting", () => {
  it("with its variable and, for plain settings, its default", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../../docs/behaviour.md", import.meta.url), "utf8");
    const section = doc.slice(doc.indexOf("## 3. Settings"), doc.indexOf("## 4. Ingest"));
    const rows = new Map(
      section
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) => [/^\| `([a-z_]+)/.exec(line)![1]!, line]),
    );
    for (const [key, value] of Object.entries(DEFAULT_REC_CONFIG)) {
      const row = rows.get(key);
      expect(row, key).toBeDefined();
      if (typeof value === "number")
        expect(row!.split("|")[2]!.trim(), key).toBe(String(value).replace("-", "−"));
      if (typeof value === "boolean" || typeof value === "string") expect(row, key).toContain(String(value));
    }
    for (const binding of CONFIG_ENV_BINDINGS) {
      const named =
        binding.path.length > 1 ? binding.variable.replace(/[A-Z]+$/, "<NAME>") : binding.variable;
      expect(section, binding.variable).toContain(named);
    }
  });
});
