/**
 * Levenshtein edit distance between two strings (insertions, deletions and substitutions cost 1).
 * @param a - a string
 * @param b - another string
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `name` (case-insensitive edit distance), when it is close enough to be a
 * plausible typo: at most a third of the name's length away.
 * @param name - what was written
 * @param candidates - the valid names
 * @returns the nearest candidate, or undefined when none is close
 * @example nearest("RECSYS_MMR_LAMDA", ["RECSYS_MMR_LAMBDA", "RECSYS_W_TAG"]) // "RECSYS_MMR_LAMBDA"
 */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined;
}
