import { InvalidArgumentError } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { BB_POINTS, createBBContentStore, rudderstackViews, viewEvents } from "./bb-fixtures.js";
import { parseCatalog } from "./catalog.js";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";

describe("BB dev fixtures (docs/behaviour.md Appendix C)", () => {
  it("has the eight items with their tags, vectors, locations and years", async () => {
    const store = createBBContentStore();
    expect(store.size).toBe(8);
    const contents = await store.get(BB_POINTS.map((p) => p.id));
    const item = contents.get("203")!;
    expect(item).toMatchObject({
      title: "Siblings reunited after deportation",
      word_count: 120,
      has_image: false,
      lat: 52.7565,
      lon: 9.9098,
      years: [1944, 1945],
    });
    expect(item.tags).toEqual([
      { facet: "theme_what", label: "Family", weight: 1 },
      { facet: "theme_what", label: "siblings", weight: 0.8 },
      { facet: "theme_how.type_of_stores", label: "Personal stories", weight: 0.5 },
    ]);
    expect(Array.from((await store.getVectors(["301"])).get("301")!)).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it("view helpers emit STARTED at base + k min and ENDED dwell seconds later", () => {
    const events = viewEvents("u", "101", 120, "next_button", Date.UTC(2026, 5, 10, 11), 2);
    expect(events.map((e) => [e.event, e.ts, e.dwell_seconds])).toEqual([
      ["CONTENT_VIEW_STARTED", "2026-06-10T11:00:00.000Z", null],
      ["CONTENT_VIEW_ENDED", "2026-06-10T11:02:00.000Z", 120],
      ["CONTENT_VIEW_STARTED", "2026-06-10T11:01:00.000Z", null],
      ["CONTENT_VIEW_ENDED", "2026-06-10T11:03:00.000Z", 120],
    ]);
    expect(rudderstackViews("u", "101", 5, "abandon", 0)[1]!.properties).toEqual({
      content: { content_id: "content_101" },
      context: { session_id: "s1" },
      details: { dwell_seconds: 5, reason: "abandon" },
    });
  });
});

describe("parseCatalog (docs/behaviour.md §7.2)", () => {
  const line = (id: unknown, vector: unknown = [1, 0]) =>
    JSON.stringify({ id, vector, payload: { title: "t" } });

  it("reads JSON Lines and JSON arrays, numeric ids as strings", () => {
    const fromLines = parseCatalog(`${line(1)}\n\n${line("b")}\n`);
    expect(fromLines.map((p) => p.id)).toEqual(["1", "b"]);
    expect(Array.from(fromLines[0]!.vector)).toEqual([1, 0]);
    expect(parseCatalog(`[${line(7)}]`).map((p) => p.id)).toEqual(["7"]);
  });

  it("names the file and line of a bad point", () => {
    const bad = (text: string) => {
      try {
        parseCatalog(text, "cat.jsonl");
      } catch (error) {
        expect(InvalidArgumentError.isInstance(error)).toBe(true);
        return (error as Error).message;
      }
      return "no error";
    };
    expect(bad(`${line(1)}\n{oops`)).toBe("cat.jsonl:2: not valid JSON");
    expect(bad(`${line(1)}\n${line(null)}`)).toBe(
      'cat.jsonl:2: "id" must be a non-empty string or a non-negative integer',
    );
    expect(bad(line(1, [1, "x"]))).toBe('cat.jsonl:1: "vector" must be a non-empty array of finite numbers');
    expect(bad(`[${line(1)}, 3]`)).toBe("cat.jsonl[1]: a point must be a JSON object");
  });
});

describe("InMemoryEventBuffer window", () => {
  it("trims events older than the window on append", async () => {
    const now = Date.UTC(2026, 5, 10, 12);
    const buffer = new InMemoryEventBuffer({ windowDays: 30, clock: () => now });
    await buffer.append([
      ...viewEvents("u", "101", 10, "link", now - 31 * 86_400_000),
      ...viewEvents("u", "102", 10, "link", now - 86_400_000),
    ]);
    expect((await buffer.fetchEvents("u")).map((e) => e.content_id)).toEqual(["102", "102"]);
  });
});
