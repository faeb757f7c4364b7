import { DotMatrix, normalized } from "@recsys/core/scoring";
import { describe, expect, it } from "vitest";
import { generateCatalog } from "./generate.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";

const points = generateCatalog({ items: 300, dimension: 16, seed: 5, themes: 6 });
const store = () => InMemoryContentStore.fromPoints(points);
const taste = (k: number) => Array.from(points[k]!.vector, (x, j) => x + (j % 3) * 0.1);
const negated = (vector: readonly number[]) => vector.map((x) => -x);
const vectorQuery = (vector: readonly number[]) => ({ kind: "vector" as const, vector, limit: 12 });

/** A query's answer from a store that never scanned before. */
async function fresh(vector: readonly number[]) {
  const [hits] = await store().query([vectorQuery(vector)]);
  return hits!.map((h) => [h.id, h.score]);
}

describe("the embedded store's exact scans", () => {
  it("a query's negation one round trip later reuses its scan, with the answer a new scan gives", async () => {
    const s = store();
    await s.query([vectorQuery(taste(1))]);
    const [far] = await s.query([vectorQuery(negated(taste(1)))]);
    expect(s.exactScans).toBe(1);
    expect(s.roundTrips).toBe(2);
    expect(far!.map((h) => [h.id, h.score])).toEqual(await fresh(negated(taste(1))));
    // The same query again: reused too.
    const [again] = await s.query([vectorQuery(taste(1))]);
    expect(s.exactScans).toBe(1);
    expect(again!.map((h) => [h.id, h.score])).toEqual(await fresh(taste(1)));
  });

  it("keeps the last 16 scans: a query pushed out by newer ones is scanned again", async () => {
    const s = store();
    await s.query([vectorQuery(taste(0))]);
    for (let k = 1; k <= 15; k++) await s.query([vectorQuery(taste(k))]);
    await s.query([vectorQuery(negated(taste(0)))]);
    expect(s.exactScans).toBe(16);
    // A 17th scan pushes out the first: its negation is scanned anew; the second's is still kept.
    await s.query([vectorQuery(taste(16))]);
    await s.query([vectorQuery(negated(taste(1)))]);
    expect(s.exactScans).toBe(17);
    await s.query([vectorQuery(negated(taste(0)))]);
    expect(s.exactScans).toBe(18);
  });
});

describe("the embedded store's exact search from int8 estimates (from 512 items)", () => {
  const big = generateCatalog({ items: 2000, dimension: 384, seed: 9, themes: 30 });

  /** The answer a full scan gives: every unit vector's cosine, best first, ties to the earlier item. */
  function fullScan(vector: readonly number[], limit: number, exclude: ReadonlySet<string>) {
    const d = vector.length;
    const matrix = new DotMatrix(big.length, d, { estimates: false });
    big.forEach((p, i) => {
      matrix.data.set(normalized(p.vector), i * d);
    });
    return [...matrix.dotAll(normalized(vector))]
      .map((score, i) => [big[i]!.id, score] as const)
      .filter(([id]) => !exclude.has(id))
      .sort((a, b) => (b[1] > a[1] ? 1 : a[1] > b[1] ? -1 : 0))
      .slice(0, limit);
  }

  it("answers with the items, order and scores of a full scan, for tastes, their negations and exclusions", async () => {
    const s = InMemoryContentStore.fromPoints(big);
    const tasteOf = (k: number) =>
      Array.from(big[k]!.vector, (x, j) => x + 0.5 * big[k + 7]!.vector[j]! + (j % 5) * 0.01);
    for (let k = 0; k < 12; k++) {
      const exclude = new Set(big.slice(k * 40, k * 40 + 25).map((p) => p.id));
      const taste = tasteOf(k * 100);
      for (const vector of [taste, negated(taste)]) {
        for (const limit of [1, 30, 40]) {
          const [hits] = await s.query([{ kind: "vector", vector, limit, exclude }]);
          expect(hits!.map((h) => [h.id, h.score])).toEqual(fullScan(vector, limit, exclude));
        }
      }
    }
  });
});
