import { describe, expect, it } from "vitest";
import { parseEventsJson } from "./events-json.js";

describe("parseEventsJson", () => {
  it("keeps an id integer of 16 digits or more as sent, and is JSON.parse otherwise", () => {
    const big = parseEventsJson('{"userId": 9007199254740993, "n": 9007199254740993}') as Record<
      string,
      unknown
    >;
    expect(big).toEqual({ userId: "9007199254740993", n: 9007199254740992 });
    const long = '[{"userId":12345678901234567891,"properties":{"content":98765432109876543210}}]';
    expect(parseEventsJson(long)).toEqual([
      { userId: "12345678901234567891", properties: { content: "98765432109876543210" } },
    ]);
    // 15 digits: an exact number, the plain path.
    expect(parseEventsJson('{"userId": 123456789012345}')).toEqual({ userId: 123456789012345 });
    const plain = '{"timestamp":"2026-06-10T10:00:00.000Z","dwell_seconds":30.5,"userId":"u-1"}';
    expect(parseEventsJson(plain)).toEqual(JSON.parse(plain));
    expect(() => parseEventsJson("{")).toThrow(SyntaxError);
  });
});
