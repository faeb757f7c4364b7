const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Parse an ISO-8601 timestamp to epoch milliseconds.
 *
 * Accepts `YYYY-MM-DD` (midnight), `YYYY-MM-DDTHH[:MM[:SS[.fff]]]` with `T` or a space, and an optional
 * `Z` / `±HH[:MM]` offset. A timestamp without an offset is UTC (a deliberate fix: the reference crashed).
 *
 * @param text - the timestamp text
 * @returns epoch milliseconds, or null when the text is not a valid timestamp
 * @example parseTimestamp("2026-06-10T10:00:00") // 1781085600000 (UTC)
 */
export function parseTimestamp(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const offset = m[8];
  if (offset !== undefined && offset !== "Z" && offset !== "z") {
    const sign = offset[0] === "-" ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - offsetMinutes * 60_000;
}

/**
 * Format epoch milliseconds as the canonical UTC timestamp used in stored events.
 * @param ms - epoch milliseconds
 * @returns e.g. `2026-06-10T10:00:00.000Z`
 */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Either a `Date` or epoch milliseconds. */
export type Instant = Date | number;

/**
 * Epoch milliseconds of an {@link Instant}.
 * @param instant - a Date or epoch milliseconds
 */
export function toEpochMs(instant: Instant): number {
  return typeof instant === "number" ? instant : instant.getTime();
}

/**
 * Epoch milliseconds of a canonical event timestamp (as produced by {@link formatTimestamp}).
 * @param ts - the timestamp
 * @returns epoch milliseconds, or NaN when unparsable
 */
export function eventTime(ts: string): number {
  const parsed = parseTimestamp(ts);
  return parsed === null ? Number.NaN : parsed;
}
