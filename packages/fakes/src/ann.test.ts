import { describe, expect, it } from "vitest";
import { generateCatalog } from "./generate.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";

describe("the approximate index above the threshold (docs/behaviour.md §7.2)", () => {
  const points = generateCatalog({ items: 4000, dimension: 32, seed: 9, themes: 40 });
  const exact = InMemoryContentStore.fromPoints(points, { annThreshold: Number.POSITIVE_INFINITY });
  const approximate = InMemoryContentStore.fromPoints(points, { annThreshold: 1000 });

  it("stays exact below the threshold and uses usearch above it", () => {
    expect(exact.vectorSearch).toBe("exact");
    expect(InMemoryContentStore.fromPoints(points.slice(0, 999), { annThreshold: 1000 }).vectorSearch).toBe(
      "exact",
    );
    expect(approximate.vectorSearch).toBe("usearch HNSW (i8, M 16, ef 64)");
  });

  it("finds at least 99 % of the exact top 30, scored as the exact scan scores them, exclusions kept", async () => {
    let found = 0;
    let total = 0;
    for (let q = 0; q < 50; q++) {
      const vector = points[(q * 79) % points.length]!.vector.map((x, j) => x + Math.sin(q * 3 + j));
      const exclude = new Set(points.slice(q, q + 20).map((p) => p.id));
      const query = [{ kind: "vector" as const, vector, limit: 30, exclude }];
      const [truth = []] = await exact.query(query);
      const [answer = []] = await approximate.query(query);
      expect(answer).toHaveLength(30);
      const scores = new Map(truth.map((hit) => [hit.id, hit.score]));
      for (const hit of answer) {
        expect(exclude.has(hit.id)).toBe(false);
        if (scores.has(hit.id)) expect(hit.score).toBe(scores.get(hit.id));
      }
      for (let i = 1; i < answer.length; i++)
        expect(answer[i]!.score).toBeLessThanOrEqual(answer[i - 1]!.score);
      found += answer.filter((hit) => scores.has(hit.id)).length;
      total += truth.length;
    }
    expect(found / total).toBeGreaterThanOrEqual(0.99);
  });
});
