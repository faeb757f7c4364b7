import { describe, expect, it } from "vitest";
import {
  ConfigError,
  canonicalEventJson,
  compareBufferedEvents,
  contentFromPayload,
  DEFAULT_REC_CONFIG,
  emptyUserSignals,
  freezeSet,
  freezeSignals,
  InvalidArgumentError,
  interactionEvent,
  isCold,
  isFrozenSet,
  MAX_LIMIT,
  parseYears,
  RecsysError,
  StoreUnavailableError,
  safeParseRecConfig,
  safeParseRecommendOptions,
  safeParseRecommendOptionsText,
  safeParseRecommendQuery,
  safeParseUserSignals,
} from "./index.js";

describe("contentFromPayload (docs/behaviour.md §7.2)", () => {
  it("reads every payload field", () => {
    const content = contentFromPayload("101", {
      title: "Forced labour",
      text: "Body",
      content_type: "image_item",
      tags: [
        { facet: "theme_what", label: "Forced Labor", weight: 0.8 },
        { label: "no facet" },
        { facet: "f", label: 7 },
        "junk",
      ],
      text_length_words: "250",
      word_count: 3,
      thumbnail_url: "https://img/t.jpg",
      publicUrl: "https://omeka/items/101",
      locations: [
        { lat: "52.7581", lon: 9.9062 },
        { lat: 1, lon: 2 },
      ],
      time_metadata: { dates_of_creation: ["1942", "c. 1943–1944", 1944, "year 2101", "18900"] },
    });
    expect(content).toEqual({
      id: "101",
      content_type: "image_item",
      title: "Forced labour",
      text: "Body",
      tags: [
        { facet: "theme_what", label: "Forced Labor", weight: 0.8 },
        { facet: "unknown", label: "no facet", weight: 1 },
        { facet: "f", label: "7", weight: 1 },
      ],
      word_count: 250,
      has_image: true,
      lat: 52.7581,
      lon: 9.9062,
      image_url: "https://img/t.jpg",
      public_url: "https://omeka/items/101",
      years: [1942, 1943, 1944],
    });
  });

  it("falls back to defaults for missing or malformed fields", () => {
    expect(
      contentFromPayload("x", {
        content_type: "hologram",
        location: { lat: "n/a", lon: 1 },
        files_url: ["a.jpg"],
      }),
    ).toEqual({
      id: "x",
      content_type: "text_item",
      title: "",
      text: "",
      tags: [],
      word_count: 0,
      has_image: true,
      lat: null,
      lon: null,
      image_url: null,
      public_url: null,
      years: [],
    });
    expect(contentFromPayload("y", null).has_image).toBe(false);
    expect(
      contentFromPayload("z", { lat: 1.5, lon: "2.5", time_metadata: { date: "1945-05-04" } }),
    ).toMatchObject({
      lat: 1.5,
      lon: 2.5,
      years: [1945],
    });
  });

  it("parses standalone 18xx–20xx years only", () => {
    expect(parseYears(["1899", "2024", "1799", "12000", "19450"])).toEqual([1899, 2024]);
  });
});

describe("errors", () => {
  it("are recognised across the hierarchy by marker, with codes and fields", () => {
    const invalid = new InvalidArgumentError("limit must be positive", "limit");
    const config = new ConfigError("RECSYS_W_TAG", "expected a number");
    const store = new StoreUnavailableError("redis", "timeout", { cause: new Error("ETIMEDOUT") });
    expect(
      RecsysError.isInstance(invalid) && RecsysError.isInstance(config) && RecsysError.isInstance(store),
    ).toBe(true);
    expect(InvalidArgumentError.isInstance(invalid)).toBe(true);
    expect(InvalidArgumentError.isInstance(config)).toBe(false);
    expect(ConfigError.isInstance(config)).toBe(true);
    expect(StoreUnavailableError.isInstance(store)).toBe(true);
    expect(RecsysError.isInstance(new Error("x"))).toBe(false);
    expect(config.message).toBe("RECSYS_W_TAG: expected a number");
    expect(invalid.field).toBe("limit");
    expect((store.cause as Error).message).toBe("ETIMEDOUT");
  });
});

describe("schemas", () => {
  it("the default config validates; a bad one names the path", () => {
    expect(safeParseRecConfig(DEFAULT_REC_CONFIG)).toEqual({ success: true, output: DEFAULT_REC_CONFIG });
    const bad = safeParseRecConfig({
      ...DEFAULT_REC_CONFIG,
      fusion: { ...DEFAULT_REC_CONFIG.fusion, tag: "x" },
    });
    expect(bad.success).toBe(false);
    expect(!bad.success && bad.issue.path).toBe("fusion.tag");
  });

  it("user models: the empty one is cold; stored JSON round-trips; unknown keys are dropped", () => {
    const empty = emptyUserSignals("u");
    expect(isCold(empty)).toBe(true);
    expect(isCold({ positives: { "1": 0.5 } })).toBe(false);
    const parsed = safeParseUserSignals({ user_id: "u", positives: { "1": 0.5 }, is_cold: false });
    expect(parsed).toEqual({ success: true, output: { ...empty, positives: { "1": 0.5 } } });
    const bad = safeParseUserSignals({ user_id: "u", positives: { "1": "high" } });
    expect(bad).toEqual({ success: false, message: expect.stringContaining("positives.1") });
  });

  it("user models: vectors are arrays of finite numbers, a bad one named with its first bad item", () => {
    const model = { user_id: "u", taste_vector: [0.25, -1, 3e-8], recency_vector: null };
    const parsed = safeParseUserSignals(model);
    expect(parsed.success && parsed.output.taste_vector).toEqual([0.25, -1, 3e-8]);
    expect(parsed.success && parsed.output.recency_vector).toBeNull();
    const cases: [unknown, string][] = [
      [[0.5, Number.NaN], "taste_vector: Invalid vector: item 1 is not a finite number"],
      [[Number.POSITIVE_INFINITY], "taste_vector: Invalid vector: item 0 is not a finite number"],
      [[0.5, 0.5, "0.5"], "taste_vector: Invalid vector: item 2 is not a finite number"],
      [[0.5, null], "taste_vector: Invalid vector: item 1 is not a finite number"],
      [{ 0: 0.5 }, "taste_vector: Invalid type: Expected Array but received Object"],
      ["0.5", 'taste_vector: Invalid type: Expected Array but received "0.5"'],
    ];
    for (const [taste, message] of cases)
      expect(safeParseUserSignals({ user_id: "u", taste_vector: taste })).toEqual({
        success: false,
        message,
      });
  });

  it("canonical event JSON has a fixed field order, and buffer order is (time, JSON)", () => {
    const base = interactionEvent({
      user_id: "u",
      event: "E",
      ts: "2026-06-10T10:00:00.000Z",
      content_id: "1",
    });
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as typeof base;
    expect(canonicalEventJson(reordered)).toBe(canonicalEventJson(base));
    expect(canonicalEventJson(base).startsWith('{"user_id":"u","event":"E","ts"')).toBe(true);
    expect(compareBufferedEvents({ ms: 1, json: "b" }, { ms: 2, json: "a" })).toBeLessThan(0);
    expect(compareBufferedEvents({ ms: 2, json: "b" }, { ms: 2, json: "a" })).toBeGreaterThan(0);
  });
});

describe("recommend options: one schema for HTTP, CLI and the Recommender", () => {
  it("accepts typed options and names the field at fault", () => {
    expect(
      safeParseRecommendOptions({ limit: 50, filter: " Barrack 3 ", near_lat: 52.1, near_lon: 9.9, seed: 7 }),
    ).toEqual({
      success: true,
      output: { limit: 50, filter: "Barrack 3", near_lat: 52.1, near_lon: 9.9, seed: 7 },
    });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ limit: 0 }, "limit", "limit must be an integer from 1 to 50"],
      [{ limit: 51 }, "limit", "limit must be an integer from 1 to 50"],
      [{ limit: 2.5 }, "limit", "limit must be an integer from 1 to 50"],
      [{ filter: "  " }, "filter", "filter must not be empty"],
      [{ near_lat: 91, near_lon: 0 }, "near_lat", "near_lat must be between -90 and 90"],
      [{ near_lat: 1 }, "near_lon", "near_lon is required with near_lat"],
      [{ near_lon: 1 }, "near_lat", "near_lat is required with near_lon"],
      [{ geo_radius_m: 10 }, "geo_radius_m", "geo_radius_m needs near_lat and near_lon"],
      [
        { near_lat: 1, near_lon: 1, geo_radius_m: -1 },
        "geo_radius_m",
        "geo_radius_m must be between 0 and 20037509",
      ],
      [{ include_content: "yes" }, "include_content", "include_content must be true or false"],
      [{ seed: -1 }, "seed", "seed must be an integer from 0 to 4294967295"],
      [
        { near: { lat: 1, lon: 1 } },
        "near",
        'unknown option "near"; the options are limit, filter, near_lat, near_lon, geo_radius_m, include_content, seed',
      ],
    ];
    for (const [value, field, message] of cases) {
      expect(safeParseRecommendOptions(value)).toEqual({ success: false, field, message });
    }
  });

  it("converts text (query strings, flags) and applies the same field checks", () => {
    expect(
      safeParseRecommendQuery({
        user_id: " u1 ",
        limit: "5",
        near_lat: "52.75",
        near_lon: "9.9",
        include_content: "0",
      }),
    ).toEqual({
      success: true,
      output: { user_id: "u1", limit: 5, near_lat: 52.75, near_lon: 9.9, include_content: false },
    });
    expect(safeParseRecommendOptionsText({ limit: "51" })).toMatchObject({ success: false, field: "limit" });
    expect(safeParseRecommendOptionsText({ limit: "abc" })).toEqual({
      success: false,
      field: "limit",
      message: "limit must be a number",
    });
    expect(safeParseRecommendQuery({ limit: "5" })).toMatchObject({ success: false, field: "user_id" });
    expect(safeParseRecommendQuery({ user_id: "u", near_lat: "1" })).toEqual({
      success: false,
      field: "near_lon",
      message: "near_lon is required with near_lat",
    });
    expect(MAX_LIMIT).toBe(50);
  });
});

describe("freezeSignals", () => {
  it("freezes a model deeply and returns it", () => {
    const model = { ...emptyUserSignals("u"), positives: { a: 1 }, taste_vector: [0.5, 0.5] };
    expect(freezeSignals(model)).toBe(model);
    expect(Object.isFrozen(model.positives) && Object.isFrozen(model.taste_vector)).toBe(true);
    expect(() => {
      (model.taste_vector as number[])[0] = 2;
    }).toThrow(TypeError);
  });
});

describe("freezeSet", () => {
  it("makes a set read-only and marks it", () => {
    const open = new Set(["a"]);
    expect(isFrozenSet(open)).toBe(false);
    const frozen = freezeSet(open);
    expect(frozen).toBe(open);
    expect(isFrozenSet(frozen)).toBe(true);
    expect(() => open.add("b")).toThrow(TypeError);
    expect(() => open.delete("a")).toThrow(TypeError);
    expect(() => open.clear()).toThrow(TypeError);
    expect([...frozen]).toEqual(["a"]);
  });
});
