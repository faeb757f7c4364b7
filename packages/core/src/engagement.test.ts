import { DEFAULT_REC_CONFIG, type EndReason } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { decay, engagementStrength, estimateReadingSeconds, outcomeOf } from "./engagement.js";

const cfg = DEFAULT_REC_CONFIG;
const DAY = 86_400_000;

function strength(
  dwell: number | null,
  est: number,
  reason: EndReason | null,
  visits: number,
  rating: number | null,
) {
  return engagementStrength(
    { dwellSeconds: dwell, estimateSeconds: est, endReason: reason, visits, rating },
    cfg,
  );
}

describe("reading-time estimate (docs/behaviour.md §5.1)", () => {
  it("matches the measured estimates", () => {
    expect(estimateReadingSeconds({ word_count: 120, has_image: false }, cfg)).toBeCloseTo(28.5714, 4);
    expect(estimateReadingSeconds({ word_count: 50, has_image: true }, cfg)).toBeCloseTo(13.2048, 4);
  });
  it("grows with word count, adds time for an image, and is 0 for unknown content", () => {
    const short = estimateReadingSeconds({ word_count: 50, has_image: false }, cfg);
    expect(estimateReadingSeconds({ word_count: 200, has_image: false }, cfg)).toBeGreaterThan(short);
    expect(estimateReadingSeconds({ word_count: 50, has_image: true }, cfg)).toBeGreaterThan(short);
    expect(estimateReadingSeconds(null, cfg)).toBe(0);
    expect(
      estimateReadingSeconds({ word_count: 50, has_image: false }, { ...cfg, reading_speed_wps: 0 }),
    ).toBe(0);
  });
});

describe("engagement strength table (docs/behaviour.md §5.1)", () => {
  const est120 = 120 / 4.2;
  const rows: [number | null, number, EndReason | null, number, number | null, number, string][] = [
    [60, 30, "next_button", 1, null, 0.778694, "positive"],
    [1, 30, "abandon", 1, null, -0.064639, "negative"],
    [8, est120, "close_button", 1, null, 0.134694, "neutral"],
    [20, est120, "abandon", 1, null, 0.068694, "neutral"],
    [null, 30, null, 1, null, 0.078694, "neutral"],
    [30, 30, "next_button", 5, null, 0.683583, "positive"],
    [30, 30, "close_button", 1, 5, 0.378694, "positive"],
    [30, 30, "link", 2, 1, 0.406424, "positive"],
    [5, 0, "link", 1, null, 0.658694, "positive"],
  ];
  it.each(rows)(
    "dwell %s est %s %s visits %s rating %s → %s (%s)",
    (dwell, est, reason, visits, rating, want, outcome) => {
      const s = strength(dwell, est, reason, visits, rating);
      expect(Math.abs(s - want)).toBeLessThan(1e-6);
      expect(outcomeOf(s, cfg)).toBe(outcome);
    },
  );
  it("more visits and a high rating raise strength", () => {
    expect(strength(30, 30, "next_button", 5, null)).toBeGreaterThan(
      strength(30, 30, "next_button", 1, null),
    );
    expect(strength(30, 30, "close_button", 1, 5)).toBeGreaterThan(strength(30, 30, "close_button", 1, null));
  });
});

describe("decay (docs/behaviour.md §5.3)", () => {
  const now = Date.UTC(2026, 5, 10, 12);
  it.each([
    [1, 0.951695],
    [7, 0.707107],
    [14, 0.5],
    [28, 0.25],
    [60, 0.051271],
  ])("%s days → %s", (days, want) => {
    expect(Math.abs(decay(now - days * DAY, now, 14) - want)).toBeLessThan(1e-6);
  });
  it("is 1 for a null time, a future time, or a non-positive half-life", () => {
    expect(decay(null, now, 14)).toBe(1);
    expect(decay(now + DAY, now, 14)).toBe(1);
    expect(decay(now - 10 * DAY, now, 0)).toBe(1);
  });
});
