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
  // The first run of ASCII digits, found without a regular expression (its match arrays were ~2 % of what
  // an ingest allocated); an id that is all digits is returned as it is.
  let start = 0;
  while (start < text.length && !isDigit(text.charCodeAt(start))) start++;
  if (start === text.length) return text;
  let end = start + 1;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
