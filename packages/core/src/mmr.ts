/** An item for {@link mmrRerank}: its relevance and its vector (unit length, or null). */
export interface MmrItem {
  /** Relevance (the fused score). */
  readonly score: number;
  /** Unit-length vector, or null (then its similarity to everything is 0). */
  readonly vector: Float32Array | null;
}

import { batchDots } from "./kernel.js";

/**
 * Greedy maximal marginal relevance (docs/behaviour.md §6.7).
 *
 * Items are sorted by score (descending, stable). The first pick is the most relevant; each next pick
 * maximises `λ·score − (1 − λ)·max_{s ∈ selected} cos(v, v_s)`, taking the FIRST item (in sorted order) with
 * the strictly highest value. Incremental: each step compares the remaining items with the newly selected
 * one only, keeping a running max, so the cost is O(k·C·d) — one call of the batch kernel per step. Vectors
 * must be unit length (cosine = dot); a missing vector, or one of another length, has similarity 0.
 *
 * Invariants: the result is a duplicate-free subset of length min(k, n); λ = 1 reduces MMR to relevance order.
 *
 * @param items - candidates
 * @param k - how many to select
 * @param lambda - relevance (1) vs diversity (0)
 * @returns indexes into `items`, in selection order
 * @example mmrRerank([{ score: 1, vector: a }, { score: 0.9, vector: a }, { score: 0.5, vector: b }], 2, 0.5) // [0, 2]
 */
export function mmrRerank(items: readonly MmrItem[], k: number, lambda: number): number[] {
  const order = items.map((_, i) => i).sort((a, b) => items[b]!.score - items[a]!.score || a - b);
  const limit = Math.min(Math.max(0, Math.floor(k)), order.length);
  const selected: number[] = [];
  if (limit === 0) return selected;
  const remaining = order;
  const maxSim = new Float64Array(items.length).fill(Number.NEGATIVE_INFINITY);
  selected.push(remaining.shift()!);
  const d = items.find((item) => item.vector && item.vector.length > 0)?.vector?.length ?? 0;
  if (limit > 1 && d > 0)
    batchDots.load(
      items.map((item) => item.vector),
      d,
    );
  // One array for every step's similarities (each step reads only its own).
  const scratch = new Float64Array(items.length);
  while (selected.length < limit) {
    const last = items[selected[selected.length - 1]!]!.vector;
    // Every item's similarity with the newly selected one (0 without a vector of the same length).
    const sims = last && last.length === d && d > 0 ? batchDots.scan(last, scratch) : null;
    let bestPos = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let pos = 0; pos < remaining.length; pos++) {
      const index = remaining[pos]!;
      const item = items[index]!;
      const sim = sims ? sims[index]! : 0;
      if (sim > maxSim[index]!) maxSim[index] = sim;
      const value = lambda * item.score - (1 - lambda) * maxSim[index]!;
      if (value > bestValue) {
        bestValue = value;
        bestPos = pos;
      }
    }
    selected.push(remaining.splice(bestPos, 1)[0]!);
  }
  return selected;
}
