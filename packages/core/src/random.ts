/** A source of uniform random numbers in [0, 1), like `Math.random`. Inject a seeded one for reproducibility. */
export type RandomSource = () => number;

/**
 * A small, fast, seeded pseudo-random source (mulberry32). The same seed gives the same sequence on every
 * platform, so tests and the CLI (`--seed`) are reproducible.
 * @param seed - any integer
 * @returns a random source
 * @example const random = createSeededRandom(42); random(); // always the same first value
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pick one element uniformly.
 * @param items - a non-empty list
 * @param random - the random source
 */
export function pickOne<T>(items: readonly T[], random: RandomSource): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))]!;
}
