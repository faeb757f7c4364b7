import { type Content, isCold, type UserSignals } from "@recsys/ports";
import { contentTagWeights } from "./scorers.js";

/** One interest (or aversion) of a persona, with the items that are its evidence. */
export interface Interest {
  /** The facet (`theme_what`, …). */
  readonly facet: string;
  /** The label (the key after its first colon). */
  readonly label: string;
  /** Its weight in the model, 4 decimals. */
  readonly weight: number;
  /** Up to 5 liked (or, for an aversion, disliked) item ids carrying that tag. */
  readonly evidence: string[];
}

/** Visitor types after Falk's museum-visitor identities. */
export const VISITOR_TYPES = [
  "Hobbyist",
  "Explorer",
  "Experience-Seeker",
  "Recharger",
  "Facilitator",
] as const;

/** One of {@link VISITOR_TYPES}. */
export type VisitorTypeName = (typeof VISITOR_TYPES)[number];

/** The visitor type of a persona. */
export interface VisitorType {
  readonly type: VisitorTypeName;
  /** The winner's score minus the runner-up's, 4 decimals. */
  readonly confidence: number;
  /** Why this type, in a phrase. */
  readonly rationale: string;
  /** Every type's score, 4 decimals. */
  readonly scores: Readonly<Record<VisitorTypeName, number>>;
}

/** How a visitor reads. */
export type EngagementStyle =
  | "deep_reader"
  | "completionist"
  | "skimmer"
  | "sampler"
  | "contemplative"
  | "unknown";

/** Which kind of experience a visitor leans to. */
export type ExperiencePreference = "object" | "cognitive" | "introspective" | "social" | "unknown";

/** A visitor explained as a persona (docs/behaviour.md §6.15). */
export interface PersonaExplanation {
  readonly user_id: string;
  readonly is_cold: boolean;
  readonly interests: Interest[];
  readonly aversions: Interest[];
  readonly engagement_style: EngagementStyle;
  readonly experience_preference: ExperiencePreference;
  readonly visitor_type: VisitorType;
  /** The dominant theme of each recent view, most recent first, repeats collapsed, at most 6. */
  readonly trajectory: string[];
  readonly demographics: Readonly<Record<string, unknown>>;
  readonly behavior: Readonly<Record<string, number>>;
  /** A prose summary, with `verbalize`. */
  readonly summary?: string;
}

const RATIONALES: Record<VisitorTypeName, string> = {
  Hobbyist: "stays with one subject and reads it in depth",
  Explorer: "moves across many subjects and reads each with care",
  "Experience-Seeker": "samples widely without settling on any one story",
  Recharger: "returns to a few familiar stories, at a calm pace",
  Facilitator: "is visiting for, or with, somebody else",
};

const round4 = (value: number) => Math.round(value * 1e4) / 1e4;

/** The label of a content's highest-weight `theme_what` tag (first on ties), or null. */
function dominantTheme(content: Content | undefined): string | null {
  let best: { label: string; weight: number } | null = null;
  for (const tag of content?.tags ?? []) {
    if (tag.facet !== "theme_what") continue;
    if (best === null || tag.weight > best.weight) best = { label: tag.label, weight: tag.weight };
  }
  return best?.label ?? null;
}

/** Normalised Shannon entropy of the positive weights: −Σ p ln p / ln k, 0 when k ≤ 1. */
function normalizedEntropy(weights: readonly number[]): number {
  const positive = weights.filter((w) => w > 0);
  if (positive.length <= 1) return 0;
  const total = positive.reduce((a, b) => a + b, 0);
  const h = -positive.reduce((sum, w) => sum + (w / total) * Math.log(w / total), 0);
  return h / Math.log(positive.length);
}

function splitKey(key: string): { facet: string; label: string } {
  const at = key.indexOf(":");
  return at < 0 ? { facet: "", label: key } : { facet: key.slice(0, at), label: key.slice(at + 1) };
}

function topInterests(
  weights: Readonly<Record<string, number>>,
  evidenceIds: readonly string[],
  contents: ReadonlyMap<string, Content>,
): Interest[] {
  // Ties by key, so the order never depends on the order events arrived in.
  return Object.entries(weights)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, 5)
    .map(([key, weight]) => ({
      ...splitKey(key),
      weight: round4(weight),
      evidence: evidenceIds
        .filter((id) => {
          const content = contents.get(id);
          return content !== undefined && contentTagWeights(content).has(key.toLowerCase());
        })
        .slice(0, 5),
    }));
}

function share(affinity: Readonly<Record<string, number>>, prefix: string): number {
  const total = Object.values(affinity).reduce((a, b) => a + b, 0);
  const part = Object.entries(affinity).reduce((sum, [k, w]) => sum + (k.startsWith(prefix) ? w : 0), 0);
  return part / (total === 0 ? 1 : total);
}

/**
 * Explain a visitor as a persona (docs/behaviour.md §6.15): engaged themes and their breadth, top
 * interests and aversions with their evidence, reading style, experience preference, a visitor type after
 * Falk with its confidence, and the path through themes. Pure and deterministic.
 * @param signals - the visitor's model
 * @param contents - the contents of their liked, disliked and recently viewed items
 * @param options - `verbalize` adds a prose summary
 */
export function explainUser(
  signals: UserSignals,
  contents: ReadonlyMap<string, Content>,
  options: { readonly verbalize?: boolean } = {},
): PersonaExplanation {
  const affinity = signals.tag_affinity;
  const behavior = signals.behavior;
  const liked = Object.keys(signals.positives);
  const themeSource = liked.length > 0 ? liked : signals.viewed;
  const themes = new Set(
    themeSource.flatMap((id) => {
      const theme = dominantTheme(contents.get(id));
      return theme === null ? [] : [theme];
    }),
  );
  let breadth: number;
  if (themes.size > 0) breadth = themes.size <= 1 ? 0 : Math.min((themes.size - 1) / 3, 1);
  else {
    const themeWeights = Object.entries(affinity).filter(([k]) => k.startsWith("theme_what"));
    breadth = normalizedEntropy(
      (themeWeights.length > 0 ? themeWeights : Object.entries(affinity)).map(([, w]) => w),
    );
  }
  const introspectiveShare = share(affinity, "person_who");
  const cognitiveShare = share(affinity, "theme_what");

  const n = behavior.n_views ?? 0;
  const dwell = behavior.avg_dwell_ratio ?? 0;
  const completion = behavior.completion_rate ?? 0;
  let style: EngagementStyle;
  if (n === 0) style = "unknown";
  else if (dwell >= 0.6 && completion >= 0.5) style = "deep_reader";
  else if (dwell >= 0.7 && n <= 3 && breadth < 0.5) style = "contemplative";
  else if (completion >= 0.7 && n >= 4) style = "completionist";
  else if (dwell < 0.35 && n >= 4) style = "skimmer";
  else style = "sampler";

  const connection = String(signals.demographics.personal_connection ?? "").toLowerCase();
  const families = { object: 0, cognitive: 0, introspective: 0, social: 0 };
  for (const [key, weight] of Object.entries(affinity)) {
    const { label } = splitKey(key);
    if (key.startsWith("theme_how") && /personal stor(y|ies)|testimony/.test(label))
      families.introspective += weight;
    else if (key.startsWith("person_who")) families.introspective += weight / 2;
    else if (key.startsWith("medium_what")) families.object += weight;
    else if (key.startsWith("theme_what") || key.startsWith("time_when") || key.startsWith("place_where"))
      families.cognitive += weight;
  }
  if (["yes", "family", "descendant", "survivor"].includes(connection)) families.introspective += 0.5;
  const ordered = ["object", "cognitive", "introspective", "social"] as const;
  const best = ordered.reduce((a, b) => (families[b] > families[a] ? b : a));
  const preference: ExperiencePreference = families[best] === 0 ? "unknown" : best;

  const anyAffinity = Object.keys(affinity).length > 0;
  const depth = Math.max(dwell, behavior.depth ?? 0, anyAffinity ? 0.35 : 0);
  const few = Math.max(0, 1 - Math.max(n - 1, 0) / 6);
  const many = n ? Math.min(n / 5, 1) : 0.4;
  const socialHint = ["family", "group", "with_family", "social"].includes(connection) ? 0.6 : 0;
  const raw: Record<VisitorTypeName, number> = {
    Hobbyist: (1 - breadth) * depth * (0.4 + 0.6 * cognitiveShare) * (0.4 + 0.6 * many),
    Explorer: breadth * depth,
    "Experience-Seeker": breadth * (1 - Math.min(dwell, completion)) * (0.4 + 0.6 * many),
    Recharger: depth * (1 - breadth) * few * (0.4 + 0.6 * introspectiveShare),
    Facilitator: socialHint,
  };
  const ranked = [...VISITOR_TYPES].sort(
    (a, b) => raw[b] - raw[a] || VISITOR_TYPES.indexOf(a) - VISITOR_TYPES.indexOf(b),
  );
  const winner = ranked[0]!;
  const visitorType: VisitorType = {
    type: winner,
    confidence: round4(Math.max(0, raw[winner] - raw[ranked[1]!])),
    rationale: RATIONALES[winner],
    scores: Object.fromEntries(VISITOR_TYPES.map((t) => [t, round4(raw[t])])) as Record<
      VisitorTypeName,
      number
    >,
  };

  const trajectory: string[] = [];
  for (const id of signals.recent_views) {
    const theme = dominantTheme(contents.get(id));
    if (theme !== null && trajectory[trajectory.length - 1] !== theme) trajectory.push(theme);
  }
  const persona: PersonaExplanation = {
    user_id: signals.user_id,
    is_cold: isCold(signals),
    interests: topInterests(affinity, liked, contents),
    aversions: topInterests(signals.tag_aversion, Object.keys(signals.negatives), contents),
    engagement_style: style,
    experience_preference: preference,
    visitor_type: visitorType,
    trajectory: trajectory.slice(0, 6),
    demographics: signals.demographics,
    behavior,
  };
  return options.verbalize ? { ...persona, summary: verbalize(persona) } : persona;
}

const STYLE_PHRASES: Record<EngagementStyle, string> = {
  deep_reader: "Reads stories through to the end",
  contemplative: "Lingers over a few stories",
  completionist: "Finishes most of what they open",
  skimmer: "Skims quickly from story to story",
  sampler: "Dips into stories here and there",
  unknown: "Reading style not known yet",
};

/**
 * A persona in a few sentences, deterministically (docs/behaviour.md §6.15): how many stories and how they
 * went, how far they read, the strongest pulls with their evidence counts, what they avoid, the recent
 * path through themes, and the reading style with the visitor type.
 * @param persona - from {@link explainUser}
 */
export function verbalize(persona: PersonaExplanation): string {
  if (persona.interests.length === 0 && persona.trajectory.length === 0 && persona.aversions.length === 0)
    return "New visitor, no engagement yet: recommendations follow the catalogue until they read something.";
  const b = persona.behavior;
  const sentences: string[] = [];
  const n = b.n_views ?? 0;
  if (n > 0) {
    const held = b.n_positive ?? 0;
    const dismissed = b.n_negative ?? 0;
    const detail = held > 0 || dismissed > 0 ? `: ${held} held attention, ${dismissed} dismissed` : "";
    sentences.push(`Engaged with ${n} ${n === 1 ? "story" : "stories"}${detail}.`);
    sentences.push(
      `Reads to about ${Math.round((b.avg_dwell_ratio ?? 0) * 100)}% of the estimated time, finishing ${Math.round((b.completion_rate ?? 0) * 100)}%.`,
    );
  }
  if (persona.interests.length > 0)
    sentences.push(
      `Strongest pull toward ${persona.interests
        .slice(0, 3)
        .map((i) => `${i.label} (${i.evidence.length})`)
        .join(", ")}.`,
    );
  if (persona.aversions.length > 0)
    sentences.push(
      `Tends to avoid ${persona.aversions
        .slice(0, 2)
        .map((i) => i.label)
        .join(" and ")}.`,
    );
  if (persona.trajectory.length > 0) sentences.push(`Recent path: ${persona.trajectory.join(" → ")}.`);
  const type = persona.visitor_type.type.toLowerCase();
  const article = /^[aeiou]/.test(type) ? "an" : "a";
  sentences.push(`${STYLE_PHRASES[persona.engagement_style]}; reads like ${article} ${type}.`);
  return sentences.join(" ");
}
