import type { Content, EndReason, RecConfig } from "@recsys/ports";

/** Completion credit per end reason (docs/behaviour.md §5.1); no reason scores 0. */
export const COMPLETION_BY_REASON: Readonly<Record<EndReason, number>> = {
  next_button: 1.0,
  link: 0.6,
  close_button: 0.0,
  abandon: -0.5,
};

/** The config fields engagement depends on. */
export type EngagementConfig = Pick<
  RecConfig,
  | "engagement"
  | "reading_speed_wps"
  | "img_extra_time"
  | "dwell_cap_ratio"
  | "positive_threshold"
  | "negative_threshold"
>;

/**
 * Estimated reading time of an item in seconds: words / reading speed, plus a fixed extra when it has an
 * image. Unknown content estimates 0.
 * @param content - the item, or null/undefined when unknown
 * @param cfg - reading speed and image time
 * @returns seconds
 * @example estimateReadingSeconds({ word_count: 120, has_image: false }, cfg) // 28.5714...
 */
export function estimateReadingSeconds(
  content: Pick<Content, "word_count" | "has_image"> | null | undefined,
  cfg: Pick<RecConfig, "reading_speed_wps" | "img_extra_time">,
): number {
  if (!content) return 0;
  const words = cfg.reading_speed_wps > 0 ? content.word_count / cfg.reading_speed_wps : 0;
  return words + (content.has_image ? cfg.img_extra_time : 0);
}

/**
 * Dwell ratio in [0, 1]: 0 without a positive dwell; 1 when the estimate is 0; else
 * `min(dwell / est, cap) / cap`.
 * @param dwellSeconds - the dwell, or null
 * @param estimateSeconds - the reading-time estimate
 * @param capRatio - the cap (`dwell_cap_ratio`)
 */
export function dwellRatio(dwellSeconds: number | null, estimateSeconds: number, capRatio: number): number {
  if (dwellSeconds === null || dwellSeconds <= 0) return 0;
  if (estimateSeconds <= 0) return 1;
  return Math.min(dwellSeconds / estimateSeconds, capRatio) / capRatio;
}

/** The inputs of {@link engagementStrength}. */
export interface EngagementInput {
  /** Dwell in seconds, or null. */
  readonly dwellSeconds: number | null;
  /** Reading-time estimate in seconds. */
  readonly estimateSeconds: number;
  /** How the view ended, or null. */
  readonly endReason: EndReason | null;
  /** Number of visits (clamped at 0). */
  readonly visits: number;
  /** A 1–5 rating, or null. */
  readonly rating: number | null;
}

/**
 * The engagement strength of one item (docs/behaviour.md §5.1):
 * `w.dwell·dwellRatio + w.completion·completion + w.revisit·(1 − e^(−visits/2)) + w.survey·(rating − 3)/2`.
 * It is non-decreasing in dwell up to the cap.
 * @param input - dwell, estimate, end reason, visits and rating
 * @param cfg - the engagement weights and dwell cap
 * @returns the strength (about [-1, 1] with default weights)
 * @example engagementStrength({ dwellSeconds: 60, estimateSeconds: 30, endReason: "next_button", visits: 1, rating: null }, cfg) // 0.778694
 */
export function engagementStrength(
  input: EngagementInput,
  cfg: Pick<RecConfig, "engagement" | "dwell_cap_ratio">,
): number {
  const w = cfg.engagement;
  const dwell = dwellRatio(input.dwellSeconds, input.estimateSeconds, cfg.dwell_cap_ratio);
  const completion = input.endReason === null ? 0 : COMPLETION_BY_REASON[input.endReason];
  const revisit = 1 - Math.exp(-Math.max(input.visits, 0) / 2);
  const survey = input.rating === null ? 0 : (input.rating - 3) / 2;
  return w.dwell * dwell + w.completion * completion + w.revisit * revisit + w.survey * survey;
}

/** Outcome of an engagement. */
export type Outcome = "positive" | "negative" | "neutral";

/**
 * Classify a strength: positive at or above `positive_threshold`, negative at or below `negative_threshold`.
 * @param strength - an engagement strength
 * @param cfg - the thresholds
 */
export function outcomeOf(
  strength: number,
  cfg: Pick<RecConfig, "positive_threshold" | "negative_threshold">,
): Outcome {
  if (strength >= cfg.positive_threshold) return "positive";
  if (strength <= cfg.negative_threshold) return "negative";
  return "neutral";
}

/**
 * Exponential time decay: `0.5 ^ (ageDays / halfLifeDays)`, with age floored at 0 (future timestamps decay
 * 1) and 1 when the half-life is not positive. Non-increasing in age, 1 at age 0.
 * @param tsMs - the event time (epoch ms), or null
 * @param nowMs - now (epoch ms)
 * @param halfLifeDays - the half-life
 * @example decay(now - 14 * 86_400_000, now, 14) // 0.5
 */
export function decay(tsMs: number | null, nowMs: number, halfLifeDays: number): number {
  if (tsMs === null || halfLifeDays <= 0) return 1;
  const ageDays = Math.max((nowMs - tsMs) / 86_400_000, 0);
  return 0.5 ** (ageDays / halfLifeDays);
}
