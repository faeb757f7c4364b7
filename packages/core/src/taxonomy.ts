/**
 * The alias table of the shared taxonomy (docs/behaviour.md Appendix A): normalised label → canonical normalised label.
 */
export const LABEL_ALIASES: Readonly<Record<string, string>> = {
  barak: "barrack",
  transitcamp: "transit camp",
  "commanders house": "commander's house",
  "commandant's house": "commander's house",
  "joods leven": "jewish life",
  verzet: "resistance",
  death: "deaths and mortality",
  "death and mortality": "deaths and mortality",
  "social dynamics": "social relations",
  biography: "biographical text",
  "personal story": "personal stories",
  photography: "photograph",
  prisoners: "prisoner",
  "from: united kindom": "from: united kingdom",
};

const CURLY_SINGLE = /[\u2018\u2019\u201A\u201B\u2032]/g;
const CURLY_DOUBLE = /[\u201C\u201D\u201E\u201F\u2033]/g;
const COMBINING = /\p{M}/gu;
const SEPARATORS = /[\s_-]+/g;
const SPELLING: readonly (readonly [RegExp, string])[] = [
  [/labour/g, "labor"],
  [/theatre/g, "theater"],
  [/tranport/g, "transport"],
];

/**
 * Unicode case folding as Python's `str.casefold` does it for the characters that matter here.
 * @param text - any text
 * @returns the folded text
 */
export function casefold(text: string): string {
  return text.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
}

const labelCache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

function cached(cache: Map<string, string>, key: string, compute: (key: string) => string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = compute(key);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function computeLabel(text: string): string {
  let s = text.replace(CURLY_SINGLE, "'").replace(CURLY_DOUBLE, '"');
  s = s.normalize("NFKD").replace(COMBINING, "");
  s = casefold(s).trim();
  for (const [pattern, replacement] of SPELLING) s = s.replace(pattern, replacement);
  s = s.replace(SEPARATORS, " ").trim();
  return LABEL_ALIASES[s] ?? s;
}

/**
 * Normalise a tag label (docs/behaviour.md Appendix A): straight quotes, accents dropped, case-folded, British→US spelling
 * fixes, runs of whitespace/underscore/hyphen collapsed to one space, then the alias table.
 * @param label - a raw label
 * @returns the normalised label
 * @example normalizeLabel("Forced Labour") // "forced labor"
 * @example normalizeLabel("Düsseldorf") // "dusseldorf"
 */
export function normalizeLabel(label: string): string {
  return cached(labelCache, label, computeLabel);
}

const keyCache = new Map<string, string>();

function computeKey(key: string): string {
  const colon = key.indexOf(":");
  if (colon < 0) return normalizeLabel(key);
  return `${casefold(key.slice(0, colon).trim())}:${normalizeLabel(key.slice(colon + 1))}`;
}

/**
 * Normalise a `facet:label` tag key: the facet trimmed and case-folded (separators kept), the label
 * through {@link normalizeLabel}. A key without a colon is normalised as a label.
 * @param key - a raw tag key
 * @returns the normalised key
 * @example normalizeKey("THEME_WHAT:Forced Labour") // "theme_what:forced labor"
 */
export function normalizeKey(key: string): string {
  return cached(keyCache, key, computeKey);
}

const AR_PREFIX = /^aiarlocation/i;

/**
 * Normalise a filter value: AR machine tags (`AiARLocationBarrack56`) are decoded to words first
 * (`Barrack 56`), then the label is normalised.
 * @param value - a filter value from a request
 * @returns the normalised label to match against `tag_values`
 * @example normalizeFilterValue("AiARLocationBarrack56") // "barrack 56"
 */
export function normalizeFilterValue(value: string): string {
  let s = value;
  if (AR_PREFIX.test(s)) {
    s = s
      .replace(AR_PREFIX, "")
      .replace(/(\p{Ll})(\p{Lu})/gu, "$1 $2")
      .replace(/(\p{L})(\d)/gu, "$1 $2");
  }
  return normalizeLabel(s);
}
