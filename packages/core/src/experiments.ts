import { ConfigError, type Experiment, type RecConfig, safeParseRecConfig } from "@recsys/ports";
import { deepMerge } from "./config.js";

/**
 * A user's position in [0, 1) for an experiment: a 32-bit FNV-1a hash of `salt:userId` through the
 * MurmurHash3 finaliser (so near ids land far apart). Pure: the same on every replica and after restarts.
 * @param salt - the experiment's salt
 * @param userId - the user
 */
export function bucketOf(salt: string, userId: string): number {
  let h = 0x811c9dc5;
  const text = `${salt}:${userId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * The variant a user is in (docs/behaviour.md §6.13): the variants share [0, 1) in proportion to their
 * weights, in their declared order, and the user's {@link bucketOf} picks one.
 * @param experiment - the experiment
 * @param userId - the user
 * @returns the variant's name
 */
export function assignVariant(experiment: Experiment, userId: string): string {
  const total = experiment.variants.reduce((sum, variant) => sum + variant.weight, 0);
  const point = bucketOf(experiment.salt ?? experiment.name, userId) * total;
  let edge = 0;
  for (const variant of experiment.variants) {
    edge += variant.weight;
    if (point < edge) return variant.name;
  }
  return experiment.variants[experiment.variants.length - 1]!.name;
}

/**
 * Each variant's settings: the base settings with the variant's override deep-merged in, validated
 * (docs/behaviour.md §6.13). The variants' configs carry no experiment of their own.
 * @param cfg - the base settings, with an experiment
 * @returns variant name → its settings (empty without an experiment)
 * @throws ConfigError naming `experiment.variants.N.settings.<path>` when an override is invalid
 */
export function variantConfigs(cfg: RecConfig): Map<string, RecConfig> {
  const out = new Map<string, RecConfig>();
  if (!cfg.experiment) return out;
  const { experiment: _experiment, ...base } = cfg;
  cfg.experiment.variants.forEach((variant, index) => {
    if ("experiment" in variant.settings)
      throw new ConfigError(
        `experiment.variants.${index}.settings.experiment`,
        "a variant cannot nest an experiment",
      );
    const result = safeParseRecConfig(deepMerge(base, variant.settings));
    if (!result.success)
      throw new ConfigError(
        `experiment.variants.${index}.settings.${result.issue.path}`,
        result.issue.message,
      );
    out.set(variant.name, result.output);
  });
  return out;
}
