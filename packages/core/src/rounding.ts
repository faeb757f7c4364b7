/**
 * Round to `digits` decimals with ties to even on the exact binary value, as Python's `round` does (so
 * stored behaviour ratios match the reference service bit for bit).
 * @param value - a finite number
 * @param digits - decimals (0–20)
 * @example roundHalfEven(0.03125, 4) // 0.0312
 */
export function roundHalfEven(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const exact = Math.abs(value).toFixed(60);
  const dot = exact.indexOf(".");
  const kept = exact.slice(0, dot + 1 + digits);
  const rest = exact.slice(dot + 1 + digits);
  let rounded = Number(kept);
  const step = 10 ** -digits;
  const firstRest = rest[0] ?? "0";
  const tail = rest.slice(1);
  const isTie = firstRest === "5" && /^0*$/.test(tail);
  if (firstRest > "5" || (firstRest === "5" && !isTie)) rounded += step;
  else if (isTie) {
    const lastDigit = Number(kept.replace(".", "").slice(-1));
    if (lastDigit % 2 === 1) rounded += step;
  }
  const result = Number(rounded.toFixed(digits));
  return value < 0 ? -result : result;
}
