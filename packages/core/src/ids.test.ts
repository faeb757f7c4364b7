import fc from "fast-check";
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
    ["", ""],
    ["x9", "9"],
    ["9x", "9"],
    ["٣4", "4"],
  ] as const)("%j → %j", (input, want) => {
    expect(normalizeContentId(input)).toBe(want);
  });
  it("is the first match of /[0-9]+/, or the text when there is none, for any text", () => {
    const texts = fc.oneof(fc.string(), fc.stringMatching(/^[a-z_]{0,4}[0-9]{0,6}[a-z_]{0,3}[0-9]{0,3}$/));
    fc.assert(
      fc.property(texts, (text) => {
        expect(normalizeContentId(text)).toBe(/[0-9]+/.exec(text)?.[0] ?? text);
      }),
      { numRuns: 2000 },
    );
  });
  it("keeps null and undefined as null", () => {
    expect(normalizeContentId(null)).toBeNull();
    expect(normalizeContentId(undefined)).toBeNull();
  });
});
