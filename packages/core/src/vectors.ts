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
  // Store and model vectors are Float32Arrays: a loop of their own stays monomorphic (this one sees
  // arrays of every kind), about 1.7× faster; the same sum in the same order, so the same bits.
  if (a instanceof Float32Array && b instanceof Float32Array) return dotFloat32(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function dotFloat32(a: Float32Array, b: Float32Array): number {
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
  return normalizeInto(a, new Float32Array(a.length), 0, norm(a));
}

/**
 * Write `a / n` as float32 into `out` from `offset` (each value rounded to float32 first, then divided):
 * what {@link normalized} returns, in place (the embedded store fills its matrix with it).
 * @param a - a vector
 * @param out - where to write
 * @param offset - the first index written
 * @param n - the norm of `a` (0 leaves the float32 copy as it is)
 * @returns `out`
 */
export function normalizeInto(
  a: ArrayLike<number>,
  out: Float32Array,
  offset: number,
  n: number,
): Float32Array {
  // A float32 vector (a store's row) in a loop of its own, as in `dot`: the same quotients.
  if (a instanceof Float32Array) return normalizeFloat32Into(a, out, offset, n);
  for (let i = 0; i < a.length; i++) out[offset + i] = a[i]!;
  if (n > 0) for (let i = 0; i < a.length; i++) out[offset + i] = out[offset + i]! / n;
  return out;
}

function normalizeFloat32Into(a: Float32Array, out: Float32Array, offset: number, n: number): Float32Array {
  // The float32 copy of a float32 value is the value itself: one pass.
  if (n > 0) for (let i = 0; i < a.length; i++) out[offset + i] = a[i]! / n;
  else out.set(a, offset);
  return out;
}

/** Squared norms and unit copies remembered per vector object, for {@link cosineOfFixed} and {@link unitOfFixed}. */
const squares = new WeakMap<object, number>();
const units = new WeakMap<object, Float32Array>();

/**
 * `Σ aᵢ²` of a vector that is never written after it was made (store vectors, a model's vectors), remembered
 * per vector object: the serve path scores the same item vectors request after request.
 * @param a - a vector that does not change
 */
export function sumOfSquares(a: ArrayLike<number>): number {
  let known = squares.get(a);
  if (known === undefined) {
    known = dot(a, a);
    squares.set(a, known);
  }
  return known;
}

/**
 * {@link cosine}, bit for bit, for vectors that never change: their squared norms are computed once per
 * vector object, so each call is one dot product.
 * @param a - a vector that does not change
 * @param b - another
 */
export function cosineOfFixed(
  a: ArrayLike<number> | null | undefined,
  b: ArrayLike<number> | null | undefined,
): number {
  if (!a || !b || a.length === 0 || a.length !== b.length) return 0;
  const na = sumOfSquares(a);
  const nb = sumOfSquares(b);
  if (na === 0 || nb === 0) return 0;
  return dot(a, b) / (Math.sqrt(na) * Math.sqrt(nb));
}

/**
 * {@link normalized}, bit for bit, for a vector that never changes: computed once per vector object (the
 * same array is handed out again: callers must not write to it).
 * @param a - a vector that does not change
 */
export function unitOfFixed(a: ArrayLike<number>): Float32Array {
  let unit = units.get(a);
  if (!unit) {
    unit = normalizeInto(a, new Float32Array(a.length), 0, Math.sqrt(sumOfSquares(a)));
    units.set(a, unit);
  }
  return unit;
}
