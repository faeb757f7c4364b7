/**
 * Cosine similarity in [-1, 1]; 0 when either side is missing or empty, the lengths differ, or a norm is 0.
 * @param a - a vector
 * @param b - another vector
 * @example cosine([1, 0], [0, 1]) // 0
 */
export function cosine(
  a: ArrayLike<number> | null | undefined,
  b: ArrayLike<number> | null | undefined,
): number {
  if (!a || !b || a.length === 0 || a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

/**
 * Dot product of two equal-length vectors (0 when lengths differ).
 * @param a - a vector
 * @param b - another vector
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * The L2 norm of a vector.
 * @param a - a vector
 */
export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/**
 * A unit-length Float32Array copy of a vector (all zeros stays all zeros).
 * @param a - a vector
 */
export function normalized(a: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(a);
  const n = norm(a);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! / n;
  return out;
}
