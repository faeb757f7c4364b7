import { toRecommendationItems } from "@recsys/core";
import { rudderstackViews } from "@recsys/fakes";
import type { Impression, RecommendationItem, ServedEntry } from "@recsys/ports";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { impressionTexts, recommendBody, scoreTextsOf, servedEntryText } from "../src/answer-json.js";
import { createApp } from "../src/app.js";
import { servedItems } from "../src/served.js";
import { embeddedComponents } from "./helpers.js";

const text = fc.string({ unit: "binary", maxLength: 12 });
/** Strings that look like the parts the body is cut at. */
const tricky = fc.constantFrom('"items":[]', '","items":[]', '\\"items\\":[]', "]", "}", "", '"');
const anyText = fc.oneof(text, tricky);
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
const content = fc
  .record({
    id: anyText,
    title: anyText,
    tags: fc.array(fc.record({ facet: anyText, label: anyText, weight: number }), { maxLength: 3 }),
    lat: fc.option(number),
    years: fc.array(fc.integer(), { maxLength: 2 }),
  })
  .chain((c) => fc.constantFrom(c, Object.freeze(c)));
/** Ids, integer-like ones among them (an object orders those first, ascending). */
const id = fc.oneof(anyText, fc.constantFrom("10", "2", "0", "01", "4294967295", "-1"));
const item = fc.record(
  {
    id,
    rank: fc.integer({ min: 1, max: 50 }),
    relevance_score: number,
    role: fc.constantFrom("target", "distractor"),
    breakdown: fc.dictionary(anyText, number, { maxKeys: 3 }),
    features: fc.array(number, { maxLength: 6 }),
    reason: anyText,
    content: fc.oneof(content, fc.constant(null)),
  },
  { requiredKeys: ["id", "rank", "relevance_score", "role", "breakdown", "features"] },
) as unknown as fc.Arbitrary<RecommendationItem>;
const result = fc.record({
  user_id: anyText,
  request_id: anyText,
  strategy: anyText,
  items: fc.array(item, { maxLength: 6 }),
  diagnostics: fc.dictionary(anyText, fc.oneof(number, anyText, fc.constant(null)), { maxKeys: 3 }),
  filter: fc.option(anyText),
});

describe("the recommend route's body (recommendBody)", () => {
  it("is JSON.stringify({ result }) to the byte, whatever the strings, numbers and contents", () => {
    fc.assert(
      fc.property(result, (r) => {
        const body = recommendBody(r);
        expect(body).toBe(JSON.stringify({ result: r }));
        expect(recommendBody(r, scoreTextsOf(r.items))).toBe(body);
        // A content shown again is its text kept from before: still the same bytes.
        expect(recommendBody(r)).toBe(body);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps an item's fields in their order when content is not the last one", () => {
    const frozen = Object.freeze({ id: "7", title: "t" });
    const odd = { content: frozen, id: "7", rank: 1 } as unknown as RecommendationItem;
    const r = { user_id: "u", items: [odd], filter: null };
    expect(recommendBody(r)).toBe(JSON.stringify({ result: r }));
  });

  it("is what the route answers: the BB fixtures' lists, with and without content", async () => {
    const components = embeddedComponents();
    const app = createApp(components, { dev: true, logger: () => {} });
    const now = Date.now();
    const calls = ["content_101", "content_102", "content_103"].flatMap((id, i) =>
      rudderstackViews("warm", id, 120, "next_button", now - (i + 1) * 600_000),
    );
    expect(
      (await app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(calls) })).status,
    ).toBe(200);
    for (const user of ["warm", "cold"]) {
      for (const includeContent of [true, false]) {
        const rec = await components.recommender.recommend(user, {});
        const r = {
          user_id: rec.user_id,
          request_id: "r1",
          strategy: rec.strategy,
          items: toRecommendationItems(rec, { includeContent }),
          diagnostics: rec.diagnostics,
          filter: null,
        };
        expect(r.items.length).toBeGreaterThan(0);
        expect(recommendBody(r)).toBe(JSON.stringify({ result: r }));
      }
      const res = await app.request(`/recsys/api/recommend?user_id=${user}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      const body = await res.text();
      expect(JSON.stringify(JSON.parse(body))).toBe(body);
      expect((JSON.parse(body) as { result: { items: unknown[] } }).result.items.length).toBeGreaterThan(0);
    }
  });
});

describe("the served list's and the impressions' texts (made from the answer's pieces)", () => {
  const items = fc.uniqueArray(item, { selector: (i) => i.id, maxLength: 8 });
  const nullableText = fc.option(anyText);

  it("a served-log entry's text is JSON.stringify(entry) to the byte", () => {
    const head = fc.record({
      request_id: anyText,
      user_id: anyText,
      ts: anyText,
      strategy: fc.constantFrom("warm", "cold"),
      ranking: anyText,
      policy_version: fc.nat(),
      settings_version: nullableText,
      variant: nullableText,
      filter: nullableText,
    });
    fc.assert(
      fc.property(head, items, (h, wire) => {
        // As the recorder makes it.
        const entry = { ...h, items: servedItems(wire) } as ServedEntry;
        expect(servedEntryText(entry, scoreTextsOf(wire))).toBe(JSON.stringify(entry));
      }),
      { numRuns: 1000 },
    );
  });

  it("impressions' texts are JSON.stringify's, whatever the ids", () => {
    fc.assert(
      fc.property(items, anyText, nullableText, fc.nat(), (wire, ranking, variant, skip) => {
        // As impressionsOf makes them: the items' features copied, one item left without an impression,
        // and one impression whose item is not answered.
        const impressions: Record<string, Impression> = {};
        wire.forEach((w, i) => {
          if (wire.length > 0 && i === skip % wire.length) return;
          impressions[w.id] = {
            features: [...w.features],
            rank: i + 1,
            strategy: "warm",
            ranking,
            variant,
          };
        });
        impressions["orphan-impression-x"] = {
          features: [0.5],
          rank: 99,
          strategy: "cold",
          ranking,
          variant,
        };
        const texts = impressionTexts(impressions, wire, scoreTextsOf(wire));
        // Every answered item's impression has its text, exactly JSON.stringify's; the orphan has none.
        expect(Object.keys(texts).sort()).toEqual(
          Object.keys(impressions)
            .filter((k) => k !== "orphan-impression-x")
            .sort(),
        );
        for (const [id, text] of Object.entries(texts)) expect(text).toBe(JSON.stringify(impressions[id]));
      }),
      { numRuns: 1000 },
    );
  });

  it("the route records the list it answered: the served log holds the answer's items and scores", async () => {
    const components = embeddedComponents();
    const app = createApp(components, { dev: true, logger: () => {} });
    const now = Date.now();
    const calls = ["content_101", "content_102"].flatMap((id, i) =>
      rudderstackViews("warm", id, 120, "next_button", now - (i + 1) * 600_000),
    );
    await app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(calls) });
    const res = await app.request("/recsys/api/recommend?user_id=warm");
    const { result } = (await res.json()) as { result: { request_id: string; items: RecommendationItem[] } };
    await new Promise((resolve) => setTimeout(resolve, 10));
    const [entry] = await components.servedLog.recent({ limit: 1 });
    expect(entry?.request_id).toBe(result.request_id);
    expect(entry?.items).toEqual(servedItems(result.items));
    expect(Object.keys(entry?.items[0] ?? {})).toEqual([
      "id",
      "rank",
      "role",
      "relevance_score",
      "breakdown",
      "features",
    ]);
  });
});
