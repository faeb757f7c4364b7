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
