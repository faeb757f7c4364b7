import type { RecConfig } from "@recsys/ports";
import { affinityScore, geoScore, recencyScore, semanticScore, tagScore } from "../scorers.js";
import type { Scorer } from "./types.js";

const fusionWeight =
  (name: keyof RecConfig["fusion"]) =>
  (cfg: RecConfig): number =>
    cfg.fusion[name];

/**
 * The six built-in scorers, in feature-vector order (docs/behaviour.md, "Scorers"): semantic, affinity,
 * tag, recency, aversion, and geo (only with a `near` point). Weights come from the `fusion` settings.
 */
export const BUILT_IN_SCORERS: readonly Scorer[] = [
  {
    name: "semantic",
    weight: fusionWeight("semantic"),
    score: (c, context) => semanticScore(context.taste, c.vector),
  },
  {
    name: "affinity",
    weight: fusionWeight("affinity"),
    score: (c, context) => affinityScore(c.vector, context.liked),
  },
  { name: "tag", weight: fusionWeight("tag"), score: (c, context) => tagScore(c.tags, context.affinity) },
  {
    name: "recency",
    weight: fusionWeight("recency"),
    score: (c, context) => recencyScore(context.recency, c.vector),
  },
  {
    name: "aversion",
    weight: fusionWeight("aversion"),
    score: (c, context) => tagScore(c.tags, context.aversion),
  },
  {
    name: "geo",
    weight: fusionWeight("geo"),
    active: (context) => context.near !== null,
    score: (c, context) => (context.near ? geoScore(context.near, c.content, context.cfg.geo_scale_m) : 0),
  },
];

/** The names of {@link BUILT_IN_SCORERS}. */
export const BUILT_IN_SCORER_NAMES: ReadonlySet<string> = new Set(BUILT_IN_SCORERS.map((s) => s.name));
