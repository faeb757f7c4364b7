import { DEFAULT_REC_CONFIG, interactionEvent, type ServedEntry } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { engagementStrength } from "./engagement.js";
import { policySumsOf } from "./linucb.js";
import {
  candidateScore,
  joinServedWithEvents,
  type LoggedList,
  NOMINAL_ESTIMATE_SECONDS,
  offPolicyEstimate,
  policyStateFile,
  sumsOfStateFile,
  trainLinUcb,
} from "./offline.js";

const cfg = DEFAULT_REC_CONFIG;
const item = (id: string, rank: number, features: number[], role: "target" | "distractor" = "target") => ({
  id,
  rank,
  role,
  relevance_score: 0,
  breakdown: role === "target" ? { tag: 0.1, custom: 0.05 } : {},
  features: role === "target" ? features : [],
});
const served: ServedEntry = {
  request_id: "r1",
  user_id: "u",
  ts: "2026-06-10T10:00:00.000Z",
  strategy: "warm",
  ranking: "static",
  policy_version: 0,
  settings_version: null,
  variant: null,
  filter: null,
  items: [item("a", 1, [1, 0, 0, 0, 0, 0]), item("d", 2, [], "distractor"), item("b", 3, [0, 0, 1, 0, 0, 0])],
};
const view = (event: string, content: string, extra: Record<string, unknown> = {}, request = "r1") =>
  interactionEvent({
    user_id: "u",
    event,
    ts: "2026-06-10T10:01:00.000Z",
    content_id: content,
    request_id: request,
    ...extra,
  });

describe("offline learning from the served log (docs/behaviour.md §6.14)", () => {
  it("joins impressions with their views: the reference's reward rule, 0 when never opened, distractors out", () => {
    const events = [
      view("CONTENT_VIEW_STARTED", "a"),
      view("CONTENT_VIEW_ENDED", "a", { dwell_seconds: 40, end_reason: "close_button" }),
      view("CONTENT_VIEW_STARTED", "a"),
      view("CONTENT_VIEW_ENDED", "a", { dwell_seconds: 100, end_reason: "next_button" }),
      view("CONTENT_VIEW_ENDED", "b", { dwell_seconds: 500 }, "another-request"),
    ];
    const [list] = joinServedWithEvents([served], events, cfg);
    expect(list!.impressions.map((i) => i.id)).toEqual(["a", "b"]);
    const expected = engagementStrength(
      {
        dwellSeconds: 100,
        estimateSeconds: NOMINAL_ESTIMATE_SECONDS,
        endReason: "next_button",
        visits: 2,
        rating: null,
      },
      cfg,
    );
    expect(list!.impressions[0]).toMatchObject({
      clicked: true,
      reward: expected,
      extra: 0.05,
      rank: 1,
      score: 0,
    });
    expect(list!.impressions[1]).toMatchObject({ clicked: false, reward: 0, rank: 3 });
    expect(trainLinUcb([list!])).toEqual(
      policySumsOf([
        { x: [1, 0, 0, 0, 0, 0], reward: expected },
        { x: [0, 0, 1, 0, 0, 0], reward: 0 },
      ]),
    );
  });

  it("IPS and SNIPS: the logging policy's own ranking gives its own value; a swap moves examination weight", () => {
    const lists: LoggedList[] = [
      {
        request_id: "r1",
        user_id: "u",
        ranking: "static",
        impressions: [
          {
            id: "a",
            rank: 1,
            features: [0, 0, 1, 0, 0, 0],
            score: 0.45,
            extra: 0,
            clicked: false,
            reward: 0,
          },
          {
            id: "b",
            rank: 2,
            features: [0, 0, 0, 1, 0, 0],
            score: 0.05,
            extra: 0,
            clicked: true,
            reward: 0.8,
          },
        ],
      },
      {
        request_id: "r2",
        user_id: "v",
        ranking: "static",
        impressions: [
          {
            id: "c",
            rank: 1,
            features: [0, 0, 1, 0, 0, 0],
            score: 0.45,
            extra: 0,
            clicked: true,
            reward: 0.5,
          },
          {
            id: "d",
            rank: 2,
            features: [0, 0, 0, 1, 0, 0],
            score: 0.05,
            extra: 0,
            clicked: false,
            reward: 0,
          },
        ],
      },
    ];
    const same = offPolicyEstimate(lists, candidateScore(cfg), { samples: 200 });
    expect(same.matched_impressions).toBe(4);
    expect(same.logging.reward_per_list.value).toBeCloseTo(0.65, 12);
    expect(same.logging.ctr.value).toBe(0.5);
    expect(same.candidate.ips_reward_per_list.value).toBeCloseTo(0.65, 12);
    expect(same.candidate.snips_ctr.value).toBeCloseTo(0.5, 12);
    // a candidate that prefers recency (feature 3) swaps both lists: b and d move to rank 1 (w = 2),
    // a and c to rank 2 (w = 1/2)
    const recency = candidateScore({ ...cfg, fusion: { ...cfg.fusion, tag: 0, recency: 1 } });
    const swapped = offPolicyEstimate(lists, recency, { samples: 200 });
    expect(swapped.candidate.ips_reward_per_list.value).toBeCloseTo((2 * 0.8 + 0.5 * 0.5) / 2, 12);
    expect(swapped.candidate.ips_ctr.value).toBeCloseTo((2 + 0.5) / 4, 12);
    expect(swapped.candidate.snips_ctr.value).toBeCloseTo(2.5 / 5, 12);
    const [low, high] = swapped.candidate.ips_reward_per_list.interval;
    expect(low).toBeLessThanOrEqual(swapped.candidate.ips_reward_per_list.value);
    expect(high).toBeGreaterThanOrEqual(swapped.candidate.ips_reward_per_list.value);
    // with k = 1 only rank 1 counts
    expect(
      offPolicyEstimate(lists, recency, { k: 1, samples: 10 }).candidate.ips_reward_per_list.value,
    ).toBeCloseTo(0.8, 12);
  });

  it("writes a state file with the prior included and reads it back to the same sums", () => {
    const sums = policySumsOf([
      { x: [0.2, 0.1, 0.9, 0, 0, 0], reward: 0.6 },
      { x: [0.7, 0, 0.1, 0.3, 0, 0], reward: -0.1 },
    ]);
    const file = policyStateFile({ ...cfg, bandit_ridge: 2 }, sums);
    expect(file.A[0]![0]).toBeCloseTo(2 + 0.2 * 0.2 + 0.7 * 0.7, 12);
    expect(file.prior).toEqual([0.2, 0.1, 0.45, 0.05, -0.3, 0.2]);
    const back = sumsOfStateFile(JSON.parse(JSON.stringify(file)), cfg);
    for (const [i, v] of back.A.entries()) expect(v).toBeCloseTo(sums.A[i]!, 12);
    for (const [i, v] of back.b.entries()) expect(v).toBeCloseTo(sums.b[i]!, 12);
    expect(back.n_updates).toBe(2);
    expect(() => sumsOfStateFile({ A: [[1]], b: [1] }, cfg)).toThrow(/6 × 6/);
  });
});
