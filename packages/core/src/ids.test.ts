import { describe, expect, it } from "vitest";
import { normalizeContentId } from "./ids.js";

describe("normalizeContentId (docs/behaviour.md §4.4)", () => {
  it.each([
    ["content_1234", "1234"],
    ["841", "841"],
    [841, "841"],
    ["A1", "1"],
    ["content_12_v3", "12"],
    ["  7 ", "7"],
    ["abc", "abc"],
  ] as const)("%j → %j", (input, want) => {
    expect(normalizeContentId(input)).toBe(want);
  });
  it("keeps null and undefined as null", () => {
    expect(normalizeContentId(null)).toBeNull();
    expect(normalizeContentId(undefined)).toBeNull();
  });
});
