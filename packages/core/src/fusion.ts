import type { RecConfig } from "@recsys/ports";
import { FEATURE_ORDER } from "./scorers.js";

/** Result of {@link weightedFuse}. */
export interface Fused {
  /** Σ of the breakdown (can be negative through aversion). */
  readonly finalScore: number;
  /** weight × score per scorer. */
  readonly breakdown: Record<string, number>;
  /** The per-scorer scores in {@link FEATURE_ORDER}, missing ones 0. */
  readonly features: number[];
}

/**
 * Weighted fusion (docs/behaviour.md §6.5): `breakdown[s] = weight[s] · score[s]`, `finalScore = Σ breakdown`.
 * Unknown scorer names get weight 0.
 * @param scores - scorer name → score in [0, 1]
 * @param weights - fusion weights
 * @returns the fused score, the breakdown and the 6-feature vector
 * @example weightedFuse({ semantic: 0.8, tag: 0.4 }, { semantic: 0.5, tag: 0.3 }).finalScore // 0.52
 */
export function weightedFuse(
  scores: Readonly<Record<string, number>>,
  weights: Readonly<Partial<RecConfig["fusion"]>> | Readonly<Record<string, number>>,
): Fused {
  const breakdown: Record<string, number> = {};
  let finalScore = 0;
  const w = weights as Readonly<Record<string, number | undefined>>;
  for (const [name, score] of Object.entries(scores)) {
    const value = (w[name] ?? 0) * score;
    breakdown[name] = value;
    finalScore += value;
  }
  return { finalScore, breakdown, features: FEATURE_ORDER.map((name) => scores[name] ?? 0) };
}

/** Names an object keeps in the order they were added (not repeated, not array indexes). */
const inAddedOrder = (names: readonly string[]): boolean =>
  new Set(names).size === names.length && names.every((name) => !/^(0|[1-9]\d*)$/.test(name));

/**
 * {@link weightedFuse} for many candidates scored by the same scorers (the serve path's pool): scores come
 * as an array in `names` order, and each breakdown is a copy of one template object with its values set,
 * instead of an object built key by key and the record's entries listed per candidate. The result is
 * `weightedFuse` of the record of those scores, bit for bit (same keys in the same order, same sum order);
 * names an object would reorder (repeated, or array indexes) go through `weightedFuse` itself.
 * @param names - the scorers' names, in scoring order
 * @param weights - fusion weights (unknown names weigh 0)
 */
export function fuserFor(
  names: readonly string[],
  weights: Readonly<Record<string, number>>,
): (scores: readonly number[]) => Fused {
  if (!inAddedOrder(names))
    return (scores) => {
      const record: Record<string, number> = {};
      names.forEach((name, k) => {
        record[name] = scores[k]!;
      });
      return weightedFuse(record, weights);
    };
  const w = weights as Readonly<Record<string, number | undefined>>;
  const weightOf = names.map((name) => w[name] ?? 0);
  const template: Record<string, number> = {};
  for (const name of names) template[name] = 0;
  const featureAt = FEATURE_ORDER.map((name) => names.indexOf(name));
  return (scores) => {
    const breakdown = { ...template };
    let finalScore = 0;
    for (let k = 0; k < names.length; k++) {
      const value = weightOf[k]! * scores[k]!;
      breakdown[names[k]!] = value;
      finalScore += value;
    }
    return { finalScore, breakdown, features: featureAt.map((at) => (at < 0 ? 0 : scores[at]!)) };
  };
}
