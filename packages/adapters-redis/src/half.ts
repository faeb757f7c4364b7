// IEEE 754 half precision (float16) for the compact model's vectors. Node 20 has neither `Float16Array`
// nor `Math.f16round`; the float16 polyfill library gives the exact values but costs about a microsecond a
// value through `setFloat16`/`getFloat16` (argument checks through `Reflect.apply`, an exception-based
// buffer check in its `Float16Array`): ~0.8 ms to encode and ~0.9 ms to decode a 384-d model. These two
// functions give the library's bits and values exactly (the tests compare them with it: every one of the
// 65,536 patterns, every tie between neighbouring halves and the doubles around them, a million random
// doubles).

/** Scratch for reading a float32's bits (a rounded half is exactly a float32). */
const single = new Float32Array(1);
const singleBits = new Uint32Array(single.buffer);

/** 2⁵²: adding and subtracting it rounds a smaller non-negative double to an integer, ties to even. */
const TWO_52 = 2 ** 52;
/** The smallest positive normal half, 2⁻¹⁴; below it halves count in steps of 2⁻²⁴. */
const MIN_NORMAL = 2 ** -14;
const SUBNORMAL_STEP = 2 ** -24;
/** Multiplying by 1 + 2⁴² and subtracting back leaves a double with 11 significant bits, ties to even. */
const SPLITTER = 1 + 2 ** 42;
/** The largest finite half. */
const MAX_HALF = 65_504;
/** 2^(e − 25) for each exponent field e: a normal half is (1024 + fraction) × that, exactly. */
const SCALE = Float64Array.from({ length: 32 }, (_, e) => 2 ** (e - 25));

/**
 * The float16 bits nearest a number (ties to even, rounded from the double itself, never through float32):
 * beyond ±65,504 (after rounding) ±infinity, NaN the quiet NaN `0x7E00`.
 * @param value - any number
 */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === 0) return sign;
  if (magnitude < MIN_NORMAL) {
    // A whole number of steps (1024 steps is the smallest normal, whose bits are the same number).
    return sign | (magnitude / SUBNORMAL_STEP + TWO_52 - TWO_52);
  }
  const scaled = SPLITTER * magnitude;
  const rounded = scaled - (scaled - magnitude);
  if (!(rounded <= MAX_HALF)) return sign | 0x7c00;
  single[0] = rounded;
  const bits = singleBits[0]!;
  const exponent = ((bits >>> 23) & 0xff) - 127;
  return sign | ((exponent + 15) << 10) | ((bits & 0x7fffff) >>> 13);
}

/**
 * The number an IEEE float16 stands for (every half is exactly a double): sign, 5-bit exponent, 10-bit
 * fraction; exponent 0 is zero or subnormal, 31 infinity (fraction 0) or NaN.
 * @param bits - the 16 bits
 */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * SUBNORMAL_STEP;
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1024 + fraction) * SCALE[exponent]!;
}
