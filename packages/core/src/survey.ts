import type { SurveyRules } from "@recsys/ports";
import { casefold } from "./taxonomy.js";

/** The demographic fields that can seed tag affinity. */
export type DemographicField = "age" | "gender" | "nationality" | "province";

/** What {@link surveyAffinity} found. */
export interface SurveyAffinity {
  /** Tag key (display case) → weight. */
  readonly weights: Record<string, number>;
  /** The demographic fields that produced a key. */
  readonly fields: ReadonlySet<DemographicField>;
}

const ENCODED = /^a:.*:([^:]*)$/s;

/**
 * Clean a survey answer value: `a:<question>:<value>` (the question may contain colons) becomes `<value>`,
 * the text after the last colon; other values pass through.
 * @param value - a raw answer value
 */
export function cleanAnswerValue(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const match = ENCODED.exec(value);
  return match ? match[1] : value;
}

function firstPresent(answers: Readonly<Record<string, unknown>>, ids: readonly string[]): unknown[] | null {
  for (const id of ids) {
    const value = answers[id];
    if (value === undefined || value === null) continue;
    return (Array.isArray(value) ? value : [value]).map(cleanAnswerValue);
  }
  return null;
}

function titleCase(text: string): string {
  return text.toLowerCase().replace(/\p{L}+/gu, (word) => word[0]!.toUpperCase() + word.slice(1));
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1).toLowerCase();
}

function scalarText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/**
 * The country a nationality answer names: the demonym table, else the raw value title-cased.
 * @param value - e.g. `dutch`, `netherlands`, `new_zealander`
 * @param rules - the survey rules
 */
export function countryOf(value: string, rules: SurveyRules): string {
  const key = casefold(value.trim()).replace(/ /g, "_");
  return rules.demonyms[key] ?? titleCase(value.trim().replace(/_/g, " "));
}

function canonicalLabel(value: string, rules: SurveyRules): string {
  const spaced = value.replace(/[_-]/g, " ").replace(/\s+/g, " ").trim();
  return rules.label_aliases[spaced.toLowerCase()] ?? spaced;
}

/**
 * Tag affinity from one set of survey answers (docs/behaviour.md §5.5): age group, gender, nationality (with the
 * international tag for non-home countries), province and personalisation themes. Keys are in display
 * case; callers fold them.
 * @param answers - question id → value (a list for multi-select)
 * @param rules - the survey rules (`cfg.survey`)
 * @returns the weights and which demographic fields produced a key
 */
export function surveyAffinity(
  answers: Readonly<Record<string, unknown>>,
  rules: SurveyRules,
): SurveyAffinity {
  const weights: Record<string, number> = {};
  const fields = new Set<DemographicField>();
  const emit = (field: DemographicField | null, key: string, weight: number) => {
    weights[key] = weight;
    if (field) fields.add(field);
  };
  for (const value of firstPresent(answers, rules.age_ids) ?? []) {
    const text = scalarText(value);
    const label = text === null ? undefined : rules.age_map[text.trim().toLowerCase()];
    if (label !== undefined) emit("age", `${rules.age_facet}:${label}`, rules.age_weight);
  }
  for (const value of firstPresent(answers, rules.gender_ids) ?? []) {
    const text = scalarText(value);
    const label = text === null ? undefined : rules.gender_map[text.trim().toLowerCase()];
    if (label !== undefined) emit("gender", `${rules.gender_facet}:${label}`, rules.gender_weight);
  }
  for (const value of firstPresent(answers, rules.nationality_ids) ?? []) {
    const text = scalarText(value);
    if (text === null || text.trim() === "") continue;
    const country = countryOf(text, rules);
    const facet = rules.nationality_facet;
    emit("nationality", `${facet}:${rules.nationality_prefix}${country}`, rules.nationality_weight);
    if (!rules.home_countries.includes(casefold(country))) {
      emit("nationality", `${facet}:${rules.international_label}`, rules.international_weight);
    }
  }
  for (const value of firstPresent(answers, rules.province_ids) ?? []) {
    const text = scalarText(value);
    if (text === null || text.trim() === "") continue;
    emit("province", `${rules.province_facet}:${text.trim()}`, rules.province_weight);
  }
  for (const rule of rules.personalization) {
    if (rule.facet === null) continue;
    for (const id of rule.ids) {
      const value = answers[id];
      if (value === undefined || value === null) continue;
      for (const item of (Array.isArray(value) ? value : [value]).map(cleanAnswerValue)) {
        const text = scalarText(item)?.trim();
        if (!text || /^\d+$/.test(text)) continue;
        emit(null, `${rule.facet}:${canonicalLabel(text, rules)}`, rule.weight);
      }
    }
  }
  return { weights, fields };
}

/**
 * Demographics stored on the model from survey answers (docs/behaviour.md §5.7): `age`, `gender`, `nationality`,
 * `province`, `personal_connection` (first id present, first list element), and `email_shared` (yes/no;
 * the address itself is never stored).
 * @param answers - question id → value
 * @param rules - the survey rules
 */
export function extractDemographics(
  answers: Readonly<Record<string, unknown>>,
  rules: SurveyRules,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const take = (field: string, ids: readonly string[]) => {
    const values = firstPresent(answers, ids);
    if (values && values.length > 0 && values[0] !== null && values[0] !== undefined) out[field] = values[0];
  };
  take("age", rules.age_ids);
  take("gender", rules.gender_ids);
  take("nationality", rules.nationality_ids);
  take("province", rules.province_ids);
  take("personal_connection", rules.personal_connection_ids);
  const emailKey = Object.keys(answers).find((key) => key.toLowerCase().includes("email"));
  if (emailKey !== undefined) {
    const text = String(cleanAnswerValue(answers[emailKey]) ?? "")
      .trim()
      .toLowerCase();
    out.email_shared = text.includes("@") || ["yes", "ja", "true"].includes(text) ? "yes" : "no";
  }
  return out;
}

function truthyValue(value: unknown): value is string | number | boolean {
  return (
    (typeof value === "string" && value !== "") ||
    (typeof value === "number" && value !== 0) ||
    value === true
  );
}

/**
 * Tag affinity from merged demographics (docs/behaviour.md §5.6), skipping fields already counted from survey
 * answers (`counted`): each demographic field contributes once (a deliberate fix; the reference counted
 * survey demographics twice).
 * @param demographics - merged demographics (survey values overlaid by the provider's)
 * @param rules - the survey rules
 * @param counted - fields whose affinity already came from survey answers
 * @returns tag key (display case) → weight
 */
export function demographicAffinity(
  demographics: Readonly<Record<string, unknown>>,
  rules: SurveyRules,
  counted: ReadonlySet<DemographicField> = new Set(),
): Record<string, number> {
  const weights: Record<string, number> = {};
  const age = demographics.age;
  if (!counted.has("age") && typeof age === "number" && Number.isFinite(age)) {
    const bucket = rules.age_buckets.find((b) => age < b.below);
    weights[`${rules.age_facet}:${bucket ? bucket.label : rules.age_over_label}`] = rules.age_weight;
  }
  const gender = demographics.gender;
  if (!counted.has("gender") && truthyValue(gender)) {
    weights[`${rules.gender_facet}:${capitalize(String(gender))}`] = rules.gender_weight;
  }
  const nationality = demographics.nationality;
  if (!counted.has("nationality") && truthyValue(nationality)) {
    const key = `${rules.nationality_facet}:${rules.nationality_prefix}${capitalize(String(nationality))}`;
    weights[key] = rules.nationality_weight;
  }
  const province = demographics.province;
  if (!counted.has("province") && truthyValue(province)) {
    weights[`${rules.province_facet}:${String(province).trim()}`] = rules.province_weight;
  }
  return weights;
}
