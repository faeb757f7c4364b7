const NUMERIC = /^[0-9]+$/;

/**
 * Catalogue id order: numeric ids ascending by value (as Qdrant orders integer point ids), then other ids
 * in string order.
 * @param a - an id
 * @param b - another id
 * @returns negative, zero or positive
 * @example ["102", "99", "abc"].sort(compareIds) // ["99", "102", "abc"]
 */
export function compareIds(a: string, b: string): number {
  const na = NUMERIC.test(a);
  const nb = NUMERIC.test(b);
  if (na && nb) {
    if (a.length !== b.length) {
      const ta = a.replace(/^0+(?=.)/, "");
      const tb = b.replace(/^0+(?=.)/, "");
      if (ta.length !== tb.length) return ta.length - tb.length;
      return ta < tb ? -1 : ta > tb ? 1 : a < b ? -1 : a > b ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
