import * as v from "valibot";
import { issuePath } from "./issues.js";

const finite = v.pipe(v.number(), v.finite());
const nonNegative = v.pipe(v.number(), v.finite(), v.minValue(0));
const positive = v.pipe(v.number(), v.finite(), v.gtValue(0));
const unit = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

/** Distractor strategies (reference §6.8). */
export const DISTRACTOR_STRATEGIES = ["max_dissimilar", "unexplored_theme", "random"] as const;
/** Ranking modes. `bandit` needs a policy; without one serving reports and uses `static`. */
export const RANKING_MODES = ["static", "bandit"] as const;

const AgeBucketSchema = v.strictObject({ label: v.string(), below: finite });

/**
 * Schema of the survey and demographic affinity rules (reference §5.5–§5.7) as data.
 *
 * Each `*_ids` list names the answer keys read for that field, first present wins.
 */
export const SurveyRulesSchema = v.strictObject({
  age_ids: v.array(v.string()),
  age_facet: v.string(),
  age_weight: finite,
  /** Survey answer value → age-group label (e.g. `55_64` → `age 55-64`). */
  age_map: v.record(v.string(), v.string()),
  /** Numeric ages from demographics: the first bucket whose `below` exceeds the age; else `age_over_label`. */
  age_buckets: v.array(AgeBucketSchema),
  age_over_label: v.string(),
  gender_ids: v.array(v.string()),
  gender_facet: v.string(),
  gender_weight: finite,
  gender_map: v.record(v.string(), v.string()),
  nationality_ids: v.array(v.string()),
  nationality_facet: v.string(),
  nationality_prefix: v.string(),
  nationality_weight: finite,
  /** Demonym (key form: trimmed, case-folded, spaces → `_`) → country. */
  demonyms: v.record(v.string(), v.string()),
  /** Case-folded countries that do not also get the international tag. */
  home_countries: v.array(v.string()),
  international_label: v.string(),
  international_weight: finite,
  province_ids: v.array(v.string()),
  province_facet: v.string(),
  province_weight: finite,
  personal_connection_ids: v.array(v.string()),
  /** Personalisation answers: `facet: null` means "ignore" (AR areas are a filter, never taste). */
  personalization: v.array(
    v.strictObject({ ids: v.array(v.string()), facet: v.nullable(v.string()), weight: finite }),
  ),
  /** Lower-cased, space-separated personalisation label → canonical label. */
  label_aliases: v.record(v.string(), v.string()),
  /** Event names whose answers seed demographics and tag affinity. */
  survey_events: v.array(v.string()),
});

/** Survey and demographic affinity rules. */
export type SurveyRules = v.InferOutput<typeof SurveyRulesSchema>;

/** Schema of the full, resolved recommender configuration (reference §3.1 plus recsys additions). */
export const RecConfigSchema = v.pipe(
  v.strictObject({
    engagement: v.strictObject({ dwell: finite, completion: finite, revisit: finite, survey: finite }),
    fusion: v.strictObject({
      tag: finite,
      semantic: finite,
      affinity: finite,
      recency: finite,
      aversion: finite,
      geo: finite,
    }),
    reading_speed_wps: nonNegative,
    img_extra_time: nonNegative,
    dwell_cap_ratio: positive,
    positive_threshold: finite,
    negative_threshold: finite,
    half_life_days: nonNegative,
    soft_negative_weight: nonNegative,
    pool_per_generator: int(1, 1000),
    affinity_top_k: int(1, 1000),
    final_limit: int(1, 100),
    mmr_lambda: unit,
    geo_scale_m: nonNegative,
    geo_radius_m: nonNegative,
    filter_reshow_when_exhausted: v.boolean(),
    distractor_enabled: v.boolean(),
    distractor_strategy: v.picklist(DISTRACTOR_STRATEGIES),
    distractor_probability: unit,
    distractor_slots: v.pipe(v.array(int(1, 100)), v.minLength(1)),
    cold_start_min_positives: int(0, 1000),
    ranking_mode: v.picklist(RANKING_MODES),
    bandit_alpha: nonNegative,
    bandit_ridge: positive,
    bandit_explore: v.boolean(),
    bandit_online: v.boolean(),
    event_window_days: positive,
    model_ttl_days: positive,
    survey: SurveyRulesSchema,
  }),
  v.check(
    (c) => c.negative_threshold < c.positive_threshold,
    "negative_threshold must be below positive_threshold",
  ),
);

/** The resolved recommender configuration. */
export type RecConfig = v.InferOutput<typeof RecConfigSchema>;

/** A deep partial of {@link RecConfig}: what a config file, an override or a test passes. */
export type RecConfigInput = {
  [K in keyof RecConfig]?: RecConfig[K] extends readonly unknown[]
    ? RecConfig[K]
    : RecConfig[K] extends object
      ? Partial<RecConfig[K]>
      : RecConfig[K];
};

/** The reference service's survey tables (reference §5.5–§5.7). */
export const DEFAULT_SURVEY_RULES: SurveyRules = {
  age_ids: ["q:age", "age_group", "age"],
  age_facet: "person_who.age_group",
  age_weight: 0.5,
  age_map: {
    under_18: "child",
    under_16: "child",
    "16_18": "age 16-18",
    "18_24": "age 18-24",
    "25_34": "age 25-34",
    "35_44": "age 35-44",
    "45_54": "age 45-54",
    "55_64": "age 55-64",
    "65_74": "age 65-74",
    "75_84": "age 75-84",
    "85_plus": "age 85+",
    "65_plus": "elderly",
  },
  age_buckets: [
    { label: "child", below: 18 },
    { label: "age 18-24", below: 25 },
    { label: "age 25-34", below: 35 },
    { label: "age 35-44", below: 45 },
    { label: "age 45-54", below: 55 },
    { label: "age 55-64", below: 65 },
  ],
  age_over_label: "elderly",
  gender_ids: ["q:gender", "gender"],
  gender_facet: "person_who.gender_and_age",
  gender_weight: 0.3,
  gender_map: { female: "female", male: "Male", non_binary: "non-binary" },
  nationality_ids: ["q:nationality", "nationality", "country"],
  nationality_facet: "person_who.city_village_country",
  nationality_prefix: "From: ",
  nationality_weight: 0.4,
  demonyms: {
    dutch: "Netherlands",
    german: "Germany",
    polish: "Poland",
    belgian: "Belgium",
    french: "France",
    british: "United Kingdom",
    american: "United States",
    israeli: "Israel",
    canadian: "Canada",
    danish: "Denmark",
    swedish: "Sweden",
    norwegian: "Norway",
    finnish: "Finland",
    irish: "Ireland",
    spanish: "Spain",
    italian: "Italy",
    portuguese: "Portugal",
    greek: "Greece",
    austrian: "Austria",
    swiss: "Switzerland",
    czech: "Czechia",
    ukrainian: "Ukraine",
    russian: "Russia",
    turkish: "Turkey",
    moroccan: "Morocco",
    japanese: "Japan",
    chinese: "China",
    indian: "India",
    brazilian: "Brazil",
    australian: "Australia",
    afghan: "Afghanistan",
    albanian: "Albania",
    new_zealander: "New Zealand",
  },
  home_countries: ["netherlands", "germany", "poland"],
  international_label: "International",
  international_weight: 0.3,
  province_ids: ["q:province", "province", "region", "q:nationality_province", "nationality_province"],
  province_facet: "person_who.province_netherlands",
  province_weight: 0.5,
  personal_connection_ids: ["q:ww2_connection", "personal_connection"],
  personalization: [
    { ids: ["q:personalization_theme", "personalization_theme"], facet: "theme_what", weight: 1 },
    {
      ids: ["q:personalization_interest", "personalization_interest"],
      facet: "theme_how.type_of_stores",
      weight: 1,
    },
    { ids: ["q:personalization_area", "personalization_area"], facet: null, weight: 1 },
  ],
  label_aliases: {
    "forced labour": "Forced Labor",
    "forced labor": "Forced Labor",
    liberation: "Liberation",
    deportation: "Deportation",
    "daily life": "Daily Life",
    "personal stories": "Personal stories",
    resistance: "Resistance",
  },
  survey_events: ["SURVEY_SUBMITTED", "SURVEY_ANSWERED", "IDENTIFY"],
};

/** Every default of reference §3.1, plus recsys's additions (`affinity_top_k`, windows, survey rules). */
export const DEFAULT_REC_CONFIG: RecConfig = {
  engagement: { dwell: 0.4, completion: 0.3, revisit: 0.2, survey: 0.1 },
  fusion: { tag: 0.45, semantic: 0.2, affinity: 0.1, recency: 0.05, aversion: -0.3, geo: 0.2 },
  reading_speed_wps: 4.2,
  img_extra_time: 1.3,
  dwell_cap_ratio: 2.0,
  positive_threshold: 0.3,
  negative_threshold: -0.05,
  half_life_days: 14.0,
  soft_negative_weight: 0.3,
  pool_per_generator: 30,
  affinity_top_k: 20,
  final_limit: 10,
  mmr_lambda: 0.7,
  geo_scale_m: 300.0,
  geo_radius_m: 1000.0,
  filter_reshow_when_exhausted: true,
  distractor_enabled: true,
  distractor_strategy: "max_dissimilar",
  distractor_probability: 1.0,
  distractor_slots: [3, 4],
  cold_start_min_positives: 1,
  ranking_mode: "static",
  bandit_alpha: 0.3,
  bandit_ridge: 1.0,
  bandit_explore: true,
  bandit_online: false,
  event_window_days: 30,
  model_ttl_days: 90,
  survey: DEFAULT_SURVEY_RULES,
};

/** The first problem found in a config value. */
export interface ConfigIssue {
  /** Dotted config path, e.g. `fusion.tag` (empty for the root). */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
}

/**
 * Validate a full config object against {@link RecConfigSchema}.
 * @param value - a candidate config (already merged with the defaults)
 * @returns the typed config, or the first issue
 */
export function safeParseRecConfig(
  value: unknown,
):
  | { readonly success: true; readonly output: RecConfig }
  | { readonly success: false; readonly issue: ConfigIssue } {
  const result = v.safeParse(RecConfigSchema, value);
  if (result.success) return { success: true, output: result.output };
  const issue = result.issues[0];
  const path = issuePath(issue);
  const message =
    issue.type === "strict_object" && issue.path
      ? "unknown key"
      : `${issue.message} (got ${JSON.stringify(issue.input) ?? String(issue.input)})`;
  return { success: false, issue: { path, message } };
}
