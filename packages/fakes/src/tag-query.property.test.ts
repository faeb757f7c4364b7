import { compareIds, normalizeKey } from "@recsys/core/taxonomy";
import { type Content, contentFromPayload } from "@recsys/ports";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryContentStore } from "./in-memory-content-store.js";

const KEYS = [
  "theme_what:family",
  "theme_what:Family ",
  "theme_where:barrack 3",
  "theme_who:children",
  "x:y",
];

const content = (id: string, tags: readonly { key: string; weight: number }[]): Content =>
  contentFromPayload(id, {
    tags: tags.map(({ key, weight }) => {
      const [facet, label] = key.split(":") as [string, string];
      return { facet, label, weight };
    }),
  });

/** The tag query as written down: every match summed in weight then posting order, all sorted. */
function reference(
  contents: readonly Content[],
  weights: Readonly<Record<string, number>>,
  limit: number,
  exclude: ReadonlySet<string>,
): { id: string; score: number }[] {
  const sums = new Map<string, number>();
  for (const [key, weight] of Object.entries(weights))
    for (const item of contents) {
      if (exclude.has(item.id)) continue;
      const own = new Map(item.tags.map((t) => [normalizeKey(`${t.facet}:${t.label}`), t.weight]));
      const w = own.get(normalizeKey(key));
      if (w !== undefined) sums.set(item.id, (sums.get(item.id) ?? 0) + weight * w);
    }
  return [...sums]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || compareIds(a.id, b.id))
    .slice(0, Math.max(0, limit));
}

const weight = fc.oneof(fc.constantFrom(0, -0, 1, 0.5), fc.double({ min: -2, max: 2, noNaN: true }));
const catalogue = fc
  .array(fc.array(fc.record({ key: fc.constantFrom(...KEYS), weight }), { maxLength: 4 }), {
    minLength: 1,
    maxLength: 60,
  })
  .map((rows) => rows.map((tags, i) => content(String((i * 37) % 101), tags)))
  .filter((items) => new Set(items.map((c) => c.id)).size === items.length);
const query = fc.record({
  weights: fc.dictionary(fc.constantFrom(...KEYS, "nowhere:none"), weight, { maxKeys: 4 }),
  limit: fc.integer({ min: -1, max: 12 }),
  exclude: fc.array(fc.nat({ max: 100 }).map(String), { maxLength: 8 }),
});

describe("tag queries over random catalogues", () => {
  it("answer as summing every match and sorting them all would, query after query on one store", async () => {
    await fc.assert(
      fc.asyncProperty(catalogue, fc.array(query, { minLength: 1, maxLength: 6 }), async (items, queries) => {
        const store = new InMemoryContentStore(items, new Map(), { keptAnswers: 0 });
        const answers = await store.query(
          queries.map((q) => ({
            kind: "tags" as const,
            weights: q.weights,
            limit: q.limit,
            exclude: new Set(q.exclude),
          })),
        );
        queries.forEach((q, k) => {
          const got = answers[k]!.map((h) => ({ id: h.id, score: h.score }));
          expect(got).toEqual(reference(items, q.weights, q.limit, new Set(q.exclude)));
        });
      }),
      { numRuns: 400 },
    );
  });
});
