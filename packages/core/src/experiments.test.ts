import { ConfigError } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config.js";
import { assignVariant, bucketOf, variantConfigs } from "./experiments.js";

const experiment = {
  name: "ranking-2026",
  variants: [
    { name: "A", weight: 1, settings: {} },
    { name: "B", weight: 1, settings: { ranking_mode: "bandit" } },
    { name: "C", weight: 2, settings: { final_limit: 3, fusion: { tag: 0.6 } } },
  ],
};

describe("experiments (docs/behaviour.md §6.13)", () => {
  it("proportions hold over 200,000 user ids (χ² with 2 degrees of freedom under 13.82, p = 0.001)", () => {
    const cfg = resolveConfig({ experiment });
    const counts = new Map<string, number>();
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const variant = assignVariant(cfg.experiment!, `user-${i}`);
      counts.set(variant, (counts.get(variant) ?? 0) + 1);
    }
    const expected = { A: n / 4, B: n / 4, C: n / 2 };
    const chi2 = Object.entries(expected).reduce(
      (sum, [name, e]) => sum + ((counts.get(name) ?? 0) - e) ** 2 / e,
      0,
    );
    expect(chi2).toBeLessThan(13.82);
    // and UUID-like ids, which share long prefixes
    const uuids = new Map<string, number>();
    for (let i = 0; i < 40_000; i++) {
      const id = `0f8fad5b-d9cb-469f-a165-${i.toString(16).padStart(12, "0")}`;
      const variant = assignVariant(cfg.experiment!, id);
      uuids.set(variant, (uuids.get(variant) ?? 0) + 1);
    }
    const chiUuid = [
      ["A", 10_000],
      ["B", 10_000],
      ["C", 20_000],
    ].reduce(
      (sum, [name, e]) => sum + ((uuids.get(name as string) ?? 0) - (e as number)) ** 2 / (e as number),
      0,
    );
    expect(chiUuid).toBeLessThan(13.82);
  });

  it("is a pure function of the declaration and the id; a new salt reshuffles about half of two even variants", () => {
    expect(bucketOf("s", "user-1")).toBe(bucketOf("s", "user-1"));
    expect(bucketOf("s", "user-1")).toBeGreaterThanOrEqual(0);
    expect(bucketOf("s", "user-1")).toBeLessThan(1);
    const two = resolveConfig({
      experiment: { name: "e", variants: [{ name: "x" }, { name: "y" }] },
    }).experiment!;
    const salted = { ...two, salt: "round-2" };
    let moved = 0;
    for (let i = 0; i < 10_000; i++) {
      const id = `visitor-${i}`;
      expect(assignVariant(two, id)).toBe(assignVariant(structuredClone(two), id)); // another replica
      if (assignVariant(two, id) !== assignVariant(salted, id)) moved++;
    }
    expect(moved).toBeGreaterThan(4_700);
    expect(moved).toBeLessThan(5_300);
  });

  it("each variant's settings are the base deep-merged with its override, validated at resolution", () => {
    const cfg = resolveConfig({ experiment, fusion: { semantic: 0.3 } });
    const variants = variantConfigs(cfg);
    expect([...variants.keys()]).toEqual(["A", "B", "C"]);
    expect(variants.get("B")!.ranking_mode).toBe("bandit");
    expect(variants.get("C")).toMatchObject({ final_limit: 3, fusion: { tag: 0.6, semantic: 0.3 } });
    expect(variants.get("C")!.experiment).toBeNull();
    const bad = {
      ...experiment,
      variants: [experiment.variants[0], { name: "Z", settings: { mmr_lambda: 2 } }],
    };
    expect(() => resolveConfig({ experiment: bad })).toThrow(ConfigError);
    try {
      resolveConfig({ experiment: bad });
    } catch (error) {
      expect((error as ConfigError).variable).toBe("experiment.variants.1.settings.mmr_lambda");
    }
    const twice = { name: "t", variants: [{ name: "a" }, { name: "a" }] };
    expect(() => resolveConfig({ experiment: twice })).toThrow(/variant names must be unique/);
    expect(
      resolveConfig({}, { RECSYS_EXPERIMENT: JSON.stringify(experiment) }).experiment!.variants,
    ).toHaveLength(3);
  });
});
