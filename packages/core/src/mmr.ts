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
 * the strictly highest value. Lazy: an item's running max similarity only grows as items are selected, so
 * its value with the similarities known so far bounds its value from above; an item whose bound is below
 * the best value found in this step cannot be picked and is not compared with the newly selected items
 * (it catches up when its bound next matters). Every similarity computed is the batch kernel's (the same
 * bits as a scan with the selected item as the query), so the picks are those of comparing every item at
 * every step — with about a third of the products on a 384-d pool of ~60 (measured on generated
 * catalogues). Vectors must be unit length (cosine = dot); a missing vector, or one of another length, has
 * similarity 0.
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
  // Per item: the max similarity with the first `compared[i]` selected items.
  const maxSim = new Float64Array(items.length).fill(Number.NEGATIVE_INFINITY);
  const compared = new Int32Array(items.length);
  const d = items.find((item) => item.vector && item.vector.length > 0)?.vector?.length ?? 0;
  const batch = limit > 1 && d > 0;
  if (batch)
    batchDots.load(
      items.map((item) => item.vector),
      d,
    );
  // Per selected item: whether it is held as a query (else its similarity with everything is 0).
  const held: boolean[] = [];
  const select = (pos: number) => {
    const index = remaining.splice(pos, 1)[0]!;
    const vector = items[index]!.vector;
    const usable = batch && vector !== null && vector.length === d;
    if (usable && selected.length < limit - 1) batchDots.holdRow(index, selected.length);
    held.push(usable);
    selected.push(index);
  };
  select(0);
  while (selected.length < limit) {
    let bestPos = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let pos = 0; pos < remaining.length; pos++) {
      const index = remaining[pos]!;
      const score = items[index]!.score;
      // Its value can only be lower than with the similarities known so far.
      if (lambda * score - (1 - lambda) * maxSim[index]! < bestValue) continue;
      let max = maxSim[index]!;
      for (let s = compared[index]!; s < selected.length; s++) {
        const sim = held[s] ? batchDots.dotRow(s, index) : 0;
        if (sim > max) max = sim;
      }
      maxSim[index] = max;
      compared[index] = selected.length;
      const value = lambda * score - (1 - lambda) * max;
      if (value > bestValue) {
        bestValue = value;
        bestPos = pos;
      }
    }
    select(bestPos);
  }
  return selected;
}
