import type { PolicySums, RecConfig } from "@recsys/ports";
import { FEATURE_ORDER } from "./scorers.js";
import type { RankingPolicy, ScoredItem } from "./serve/types.js";

/** The number of features the policy learns over (the six built-in scorers, in {@link FEATURE_ORDER}). */
export const POLICY_DIMENSION = FEATURE_ORDER.length;

/**
 * Empty sums: what a policy that learned nothing adds to its prior.
 * @param d - the dimension (default 6)
 */
export function emptyPolicySums(d: number = POLICY_DIMENSION): PolicySums {
  return { A: new Array<number>(d * d).fill(0), b: new Array<number>(d).fill(0), n_updates: 0 };
}

/** One observation: a served item's features and the reward its view earned. */
export interface Observation {
  /** The item's feature vector (d numbers). */
  readonly x: readonly number[];
  /** The reward (the engagement strength of the view). */
  readonly reward: number;
  /** How much the observation counts (default 1). */
  readonly weight?: number;
}

/**
 * The sums of some observations (docs/behaviour.md §6.12): `A = Σ w·x xᵀ`, `b = Σ w·r·x`, `n_updates` = the
 * number of observations. Add them to a store's sums with `FeedbackStore.addToPolicy`.
 * @param observations - the observations
 * @param d - the dimension (default 6)
 */
export function policySumsOf(observations: readonly Observation[], d: number = POLICY_DIMENSION): PolicySums {
  const A = new Array<number>(d * d).fill(0);
  const b = new Array<number>(d).fill(0);
  for (const { x, reward, weight = 1 } of observations) {
    for (let i = 0; i < d; i++) {
      const xi = x[i] ?? 0;
      b[i]! += weight * reward * xi;
      for (let j = 0; j < d; j++) A[i * d + j]! += weight * xi * (x[j] ?? 0);
    }
  }
  return { A, b, n_updates: observations.length };
}

/**
 * Add two sums (element-wise; `n_updates` too).
 * @param a - sums
 * @param b - sums of the same dimension
 */
export function addPolicySums(a: PolicySums, b: PolicySums): PolicySums {
  return {
    A: a.A.map((value, i) => value + (b.A[i] ?? 0)),
    b: a.b.map((value, i) => value + (b.b[i] ?? 0)),
    n_updates: a.n_updates + b.n_updates,
  };
}

/**
 * The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting; a pivot smaller than
 * 1e-12 in magnitude gets 1e-9 added (the reference's rule), so a singular matrix still inverts.
 * @param matrix - rows of a square matrix
 * @returns the inverse, as rows
 */
export function invertMatrix(matrix: readonly (readonly number[])[]): number[][] {
  const n = matrix.length;
  const m = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const row = m[col]!;
    if (Math.abs(row[col]!) < 1e-12) row[col]! += 1e-9;
    const p = row[col]!;
    for (let j = 0; j < 2 * n; j++) row[j]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r]![col]!;
      if (factor === 0) continue;
      const target = m[r]!;
      for (let j = 0; j < 2 * n; j++) target[j]! -= factor * row[j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

/** How sure the policy is of each feature's weight (docs/behaviour.md §6.12). */
export interface PolicyHealth {
  readonly n_updates: number;
  /** Per feature: `clamp(1 − std/(1/√ridge), 0, 1)`. */
  readonly confidence: number[];
  /** Per feature: the data seen (`A_ii − ridge`). */
  readonly data: number[];
  /** Features with no data yet. */
  readonly no_data: string[];
  /** The mean confidence over features with data (0 when none has any). */
  readonly mean_confidence: number;
  /** `cold` under 20 updates, `learning` while the mean confidence is under 0.5, else `converged`. */
  readonly verdict: "cold" | "learning" | "converged";
}

/**
 * LinUCB over the six scorer features (docs/behaviour.md §6.12), exactly as the reference: the prior
 * `A₀ = ridge·I`, `b₀ = ridge·w` (w the fusion weights in feature order) makes `θ₀ = w`, so at the prior and
 * without exploration the score is the static fused score. Learned sums are added to the prior.
 *
 * @example
 * const bandit = new LinUcb(cfg, emptyPolicySums());
 * bandit.score([0.8, 0, 0.5, 0, 0, 0], false) // = the static fusion of those features
 */
export class LinUcb {
  /** θ = A⁻¹b. */
  readonly theta: readonly number[];
  /** The prior θ₀: the fusion weights in feature order. */
  readonly prior: readonly number[];
  /** A, prior included (rows). */
  readonly A: readonly (readonly number[])[];
  /** b, prior included. */
  readonly b: readonly number[];
  /** A⁻¹ (rows). */
  readonly inverse: readonly (readonly number[])[];
  /** Observations learned. */
  readonly nUpdates: number;
  readonly #alpha: number;
  readonly #ridge: number;

  /**
   * @param cfg - fusion weights, `bandit_alpha`, `bandit_ridge`
   * @param sums - what was learned (the store's sums)
   */
  constructor(
    cfg: Pick<RecConfig, "fusion" | "bandit_alpha" | "bandit_ridge">,
    sums: PolicySums = emptyPolicySums(),
  ) {
    const d = POLICY_DIMENSION;
    const ridge = cfg.bandit_ridge;
    this.#alpha = cfg.bandit_alpha;
    this.#ridge = ridge;
    this.prior = FEATURE_ORDER.map((name) => cfg.fusion[name]);
    this.A = Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => (i === j ? ridge : 0) + (sums.A[i * d + j] ?? 0)),
    );
    this.b = this.prior.map((w, i) => ridge * w + (sums.b[i] ?? 0));
    this.nUpdates = sums.n_updates;
    this.inverse = invertMatrix(this.A);
    this.theta = this.inverse.map((row) => row.reduce((sum, value, j) => sum + value * this.b[j]!, 0));
  }

  /**
   * The score of a feature vector: `θ·x`, plus `alpha·√(xᵀA⁻¹x)` when exploring and alpha > 0.
   * @param x - the features
   * @param explore - add the confidence bonus
   */
  score(x: readonly number[], explore: boolean): number {
    let mean = 0;
    for (let i = 0; i < this.theta.length; i++) mean += this.theta[i]! * (x[i] ?? 0);
    if (!explore || this.#alpha <= 0) return mean;
    let quad = 0;
    for (let i = 0; i < this.inverse.length; i++) {
      let row = 0;
      for (let j = 0; j < this.inverse.length; j++) row += this.inverse[i]![j]! * (x[j] ?? 0);
      quad += (x[i] ?? 0) * row;
    }
    return mean + this.#alpha * Math.sqrt(Math.max(quad, 0));
  }

  /** The policy's health: per-feature confidence and data, and a verdict. */
  health(): PolicyHealth {
    const scale = 1 / Math.sqrt(this.#ridge);
    const std = this.inverse.map((row, i) => Math.sqrt(Math.max(row[i]!, 0)));
    const data = this.A.map((row, i) => row[i]! - this.#ridge);
    const confidence = std.map((s) => Math.min(1, Math.max(0, 1 - s / scale)));
    const withData = data.map((value, i) => (value > 1e-6 ? i : -1)).filter((i) => i >= 0);
    const mean =
      withData.length === 0 ? 0 : withData.reduce((sum, i) => sum + confidence[i]!, 0) / withData.length;
    return {
      n_updates: this.nUpdates,
      confidence,
      data,
      no_data: FEATURE_ORDER.filter((_, i) => !withData.includes(i)),
      mean_confidence: mean,
      verdict: this.nUpdates < 20 ? "cold" : mean < 0.5 ? "learning" : "converged",
    };
  }
}

/**
 * The part of a breakdown that custom scorers added (every entry beyond the six built-in scorers): the
 * bandit does not learn it, so it is added to the bandit's score as it is.
 * @param breakdown - scorer → weighted value
 */
export function customPart(breakdown: Readonly<Record<string, number>>): number {
  let extra = 0;
  for (const [name, value] of Object.entries(breakdown))
    if (!(FEATURE_ORDER as readonly string[]).includes(name)) extra += value;
  return extra;
}

/**
 * The `bandit` ranking policy: each target item's relevance is its LinUCB score (plus the weighted values
 * of custom scorers, which the policy does not learn), computed with one A⁻¹ per request. `sums` answers
 * what was learned (kept fresh by the caller, for instance from a shared store); the prior follows the
 * request's settings, so changing fusion weights moves the prior and keeps what was learned.
 * @param sums - the latest learned sums
 */
export function linUcbPolicy(sums: () => PolicySums): RankingPolicy & { readonly version: () => number } {
  let cached: { cfg: unknown; sums: PolicySums; bandit: LinUcb } | null = null;
  const banditFor = (cfg: RecConfig): LinUcb => {
    const current = sums();
    if (cached?.cfg !== cfg || cached.sums !== current)
      cached = { cfg, sums: current, bandit: new LinUcb(cfg, current) };
    return cached.bandit;
  };
  return {
    name: "bandit",
    version: () => sums().n_updates,
    rank(items: readonly ScoredItem[], context) {
      const bandit = banditFor(context.cfg);
      return items.map(
        (item) => bandit.score(item.features, context.cfg.bandit_explore) + customPart(item.breakdown),
      );
    },
  };
}
