const DIGITS = /[0-9]+/;

/**
 * Normalise a content id (docs/behaviour.md §4.4): the first run of ASCII digits of its text, or the text
 * unchanged when it has none.
 * @param value - a string or number id, or null/undefined
 * @returns the normalised id, or null for null/undefined
 * @example normalizeContentId("content_1234") // "1234"
 * @example normalizeContentId("abc") // "abc"
 */
export function normalizeContentId(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  const match = DIGITS.exec(text);
  return match ? match[0] : text;
}
