import type { ServedEntry } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { InMemoryFeedbackStore, InMemoryServedLog, keptText } from "./in-memory-feedback.js";

/** A text made of many pieces, as the service makes a served-log entry's. */
function pieced(n: number): string {
  let text = '{"items":[';
  for (let i = 0; i < n; i++) text += `${i === 0 ? "" : ","}{"id":"${i}","score":${i / 7}}`;
  return `${text}]}`;
}

describe("keptText", () => {
  it("returns the very text it was given, whatever its characters", () => {
    for (const text of [pieced(40), "", " padded ", "é\u0301 — 𝄞", '{"a":"\\u0000"}']) {
      expect(keptText(text)).toBe(text);
    }
  });

  it("leaves what the stores give back unchanged", async () => {
    const log = new InMemoryServedLog();
    const entry: ServedEntry = {
      request_id: "r1",
      user_id: "u1",
      ts: "2026-06-10T12:00:00.000Z",
      strategy: "warm",
      ranking: "static",
      policy_version: 0,
      settings_version: null,
      variant: null,
      filter: null,
      items: [],
    };
    // Made of pieces (a slice and a concatenation), as the service's entry texts are.
    const text = `${JSON.stringify(entry).slice(0, -1)}}`;
    await log.append(entry, text);
    expect(await log.recent()).toEqual([entry]);
    const feedback = new InMemoryFeedbackStore();
    const impression = {
      features: [1, 0, 0, 0, 0, 0],
      rank: 1,
      strategy: "warm",
      ranking: "static",
      variant: null,
    };
    await feedback.putImpressions("r1", { "101": impression }, { "101": JSON.stringify(impression) });
    expect(await feedback.consumeImpression("r1", "101")).toEqual(impression);
  });
});
