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
