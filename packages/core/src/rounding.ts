/** 10^0 … 10^20, each exact as a double. */
const POW10 = Array.from({ length: 21 }, (_, d) => 10 ** d);

/**
 * Round to `digits` decimals with ties to even on the exact binary value, as Python's `round` does (so
 * stored behaviour ratios match the reference service bit for bit).
 * @param value - a finite number
 * @param digits - decimals (0–20)
 * @example roundHalfEven(0.03125, 4) // 0.0312
 */
export function roundHalfEven(value: number, digits: number): number {
  // Fast path: when the scaled value is small and its fraction plainly not near one half, the rounded
  // decimal is the nearest integer over 10^digits, and dividing two exact doubles gives the double
  // nearest it, as parsing its text does. The scaled product is off by at most 2^-53 of itself (below
  // 1.2e-8 under 1e8), far inside the 1e-6 kept from the tie.
  const scale = POW10[digits];
  if (scale !== undefined && Number.isFinite(value)) {
    const scaled = Math.abs(value) * scale;
    if (scaled < 1e8 && Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6) {
      const result = Math.round(scaled) / scale;
      return value < 0 ? -result : result;
    }
  }
  return roundHalfEvenExact(value, digits);
}

/**
 * {@link roundHalfEven} on the exact decimal expansion of the value (60 places): the general path, for
 * values near a tie or too large for the fast one.
 * @param value - a finite number
 * @param digits - decimals (0–20)
 */
export function roundHalfEvenExact(value: number, digits: number): number {
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
