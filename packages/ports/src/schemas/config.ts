import * as v from "valibot";
import { issuePath } from "./issues.js";

// One schema gives everything about the settings: the resolved type (`RecConfig`), the partial input type
// (`RecConfigInput`), the defaults (`DEFAULT_REC_CONFIG`, what parsing `{}` yields) and, in core, the kind
// of every `RECSYS_*` variable (read off the schema's entries). Formulas and defaults: docs/behaviour.md.

const finite = v.pipe(v.number(), v.finite());
const nonNegative = v.pipe(v.number(), v.finite(), v.minValue(0));
const positive = v.pipe(v.number(), v.finite(), v.gtValue(0));
const unit = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const strings = v.array(v.string());
const labels = v.record(v.string(), v.string());

/** Distractor strategies (docs/behaviour.md, "Distractor"). */
export const DISTRACTOR_STRATEGIES = ["max_dissimilar", "unexplored_theme", "random"] as const;
/** Ranking policies the rank stage can select with `ranking_mode` (docs/behaviour.md, "Serve path"). */
export const RANKING_MODES = ["static", "bandit"] as const;

const AgeBucketSchema = v.strictObject({ label: v.string(), below: finite });

/**
 * Schema of an experiment (docs/behaviour.md §6.13): users are assigned to variants by a salted hash of
 * their id, in proportion to the weights; each variant overrides some settings (the ranking policy too).
 * A variant's `settings` are checked against this schema when the config is resolved.
 */
export const ExperimentSchema = v.pipe(
  v.strictObject({
    /** Shown in diagnostics, the served log and metrics. */
    name: v.pipe(v.string(), v.minLength(1, "experiment name must not be empty")),
    /** Hash salt (default: the name): a new salt reshuffles every user. */
    salt: v.optional(v.string()),
    variants: v.pipe(
      v.array(
        v.strictObject({
          name: v.pipe(v.string(), v.minLength(1, "variant name must not be empty")),
          /** Relative share of users (default 1). */
          weight: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
          /** A partial settings override (serve-side settings; ingest always uses the base settings). */
          settings: v.optional(v.record(v.string(), v.unknown()), {}),
        }),
      ),
      v.minLength(1, "an experiment needs at least one variant"),
    ),
  }),
  v.check(
    (e) => new Set(e.variants.map((variant) => variant.name)).size === e.variants.length,
    "variant names must be unique",
  ),
);

/** An experiment as declared in the settings. */
export type Experiment = v.InferOutput<typeof ExperimentSchema>;

/**
 * Schema of the survey and demographic affinity rules (docs/behaviour.md, "Surveys and demographics") as
 * data, every entry with its default. Each `*_ids` list names the answer keys read for that field, first
 * present wins.
 */
export const SurveyRulesSchema = v.strictObject({
  age_ids: v.optional(strings, ["q:age", "age_group", "age"]),
  age_facet: v.optional(v.string(), "person_who.age_group"),
  age_weight: v.optional(finite, 0.5),
  /** Survey answer value → age-group label (e.g. `55_64` → `age 55-64`). */
  age_map: v.optional(labels, {
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
  }),
  /** Numeric ages from demographics: the first bucket whose `below` exceeds the age; else `age_over_label`. */
  age_buckets: v.optional(v.array(AgeBucketSchema), [
    { label: "child", below: 18 },
    { label: "age 18-24", below: 25 },
    { label: "age 25-34", below: 35 },
    { label: "age 35-44", below: 45 },
    { label: "age 45-54", below: 55 },
    { label: "age 55-64", below: 65 },
  ]),
  age_over_label: v.optional(v.string(), "elderly"),
  gender_ids: v.optional(strings, ["q:gender", "gender"]),
  gender_facet: v.optional(v.string(), "person_who.gender_and_age"),
  gender_weight: v.optional(finite, 0.3),
  gender_map: v.optional(labels, { female: "female", male: "Male", non_binary: "non-binary" }),
  nationality_ids: v.optional(strings, ["q:nationality", "nationality", "country"]),
  nationality_facet: v.optional(v.string(), "person_who.city_village_country"),
  nationality_prefix: v.optional(v.string(), "From: "),
  nationality_weight: v.optional(finite, 0.4),
  /** Demonym (key form: trimmed, case-folded, spaces → `_`) → country. */
  demonyms: v.optional(labels, {
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
  }),
  /** Case-folded countries that do not also get the international tag. */
  home_countries: v.optional(strings, ["netherlands", "germany", "poland"]),
  international_label: v.optional(v.string(), "International"),
  international_weight: v.optional(finite, 0.3),
  province_ids: v.optional(strings, [
    "q:province",
    "province",
    "region",
    "q:nationality_province",
    "nationality_province",
  ]),
  province_facet: v.optional(v.string(), "person_who.province_netherlands"),
  province_weight: v.optional(finite, 0.5),
  personal_connection_ids: v.optional(strings, ["q:ww2_connection", "personal_connection"]),
  /** Personalisation answers: `facet: null` means "ignore" (AR areas are a filter, never taste). */
  personalization: v.optional(
    v.array(v.strictObject({ ids: strings, facet: v.nullable(v.string()), weight: finite })),
    [
      { ids: ["q:personalization_theme", "personalization_theme"], facet: "theme_what", weight: 1 },
      {
        ids: ["q:personalization_interest", "personalization_interest"],
        facet: "theme_how.type_of_stores",
        weight: 1,
      },
      { ids: ["q:personalization_area", "personalization_area"], facet: null, weight: 1 },
    ],
  ),
  /** Lower-cased, space-separated personalisation label → canonical label. */
  label_aliases: v.optional(labels, {
    "forced labour": "Forced Labor",
    "forced labor": "Forced Labor",
    liberation: "Liberation",
    deportation: "Deportation",
    "daily life": "Daily Life",
    "personal stories": "Personal stories",
    resistance: "Resistance",
  }),
  /** Event names whose answers seed demographics and tag affinity. */
  survey_events: v.optional(strings, ["SURVEY_SUBMITTED", "SURVEY_ANSWERED", "IDENTIFY"]),
});

/** Survey and demographic affinity rules. */
export type SurveyRules = v.InferOutput<typeof SurveyRulesSchema>;

/**
 * Schema of the recommender settings, each with its default (docs/behaviour.md, "Settings"). Parsing a
 * partial fills in every missing field; unknown keys and out-of-range values are issues.
 */
export const RecConfigSchema = v.pipe(
  v.strictObject({
    /** Weights of the engagement-strength terms. */
    engagement: v.optional(
      v.strictObject({
        dwell: v.optional(finite, 0.4),
        completion: v.optional(finite, 0.3),
        revisit: v.optional(finite, 0.2),
        survey: v.optional(finite, 0.1),
      }),
      {},
    ),
    /** Fusion weights per scorer (a custom scorer's weight is given with the scorer). */
    fusion: v.optional(
      v.strictObject({
        tag: v.optional(finite, 0.45),
        semantic: v.optional(finite, 0.2),
        affinity: v.optional(finite, 0.1),
        recency: v.optional(finite, 0.05),
        aversion: v.optional(finite, -0.3),
        geo: v.optional(finite, 0.2),
      }),
      {},
    ),
    reading_speed_wps: v.optional(nonNegative, 4.2),
    img_extra_time: v.optional(nonNegative, 1.3),
    dwell_cap_ratio: v.optional(positive, 2.0),
    positive_threshold: v.optional(finite, 0.3),
    negative_threshold: v.optional(finite, -0.05),
    half_life_days: v.optional(nonNegative, 14.0),
    soft_negative_weight: v.optional(nonNegative, 0.3),
    pool_per_generator: v.optional(int(1, 1000), 30),
    affinity_top_k: v.optional(int(1, 1000), 20),
    final_limit: v.optional(int(1, 100), 10),
    mmr_lambda: v.optional(unit, 0.7),
    geo_scale_m: v.optional(nonNegative, 300.0),
    filter_reshow_when_exhausted: v.optional(v.boolean(), true),
    distractor_enabled: v.optional(v.boolean(), true),
    distractor_strategy: v.optional(v.picklist(DISTRACTOR_STRATEGIES), "max_dissimilar"),
    distractor_probability: v.optional(unit, 1.0),
    distractor_slots: v.optional(v.pipe(v.array(int(1, 100)), v.minLength(1)), [3, 4]),
    /** A user with fewer positive items than this is served (and counted) as `cold`. */
    cold_start_min_positives: v.optional(int(0, 1000), 1),
    /** The ranking policy of the rank stage. */
    ranking_mode: v.optional(v.picklist(RANKING_MODES), "static"),
    /** LinUCB exploration strength: the weight of the confidence bonus. */
    bandit_alpha: v.optional(nonNegative, 0.3),
    /** LinUCB prior strength: the prior is `ridge·I`, `ridge·w` (w the fusion weights). */
    bandit_ridge: v.optional(positive, 1.0),
    /** Add the confidence bonus when serving with the bandit (off: greedy). */
    bandit_explore: v.optional(v.boolean(), true),
    /** Learn from rewards as they are ingested, when `ranking_mode` is `bandit`. */
    bandit_online: v.optional(v.boolean(), true),
    /** How long a served list's items wait for their reward (a view echoing its request id). */
    impression_ttl_hours: v.optional(positive, 24),
    /** The served log keeps at most this many lists (the newest). */
    served_log_max_entries: v.optional(int(1, 100_000_000), 100_000),
    /** The served log keeps lists this long. */
    served_log_ttl_days: v.optional(positive, 7),
    event_window_days: v.optional(positive, 30),
    /** The most events buffered per user (the newest): bounds the work of one ingest. */
    max_events_per_user: v.optional(int(1, 10_000_000), 300),
    /** The in-memory stores (the embedded default) hold at most this many users, least recently used out. */
    memory_max_users: v.optional(int(1, 100_000_000), 100_000),
    model_ttl_days: v.optional(positive, 90),
    survey: v.optional(SurveyRulesSchema, {}),
    /** The running experiment, or null. */
    experiment: v.optional(v.nullable(ExperimentSchema), null),
  }),
  v.check(
    (c) => c.negative_threshold < c.positive_threshold,
    "negative_threshold must be below positive_threshold",
  ),
);

/** The resolved recommender configuration. */
export type RecConfig = v.InferOutput<typeof RecConfigSchema>;

/** A partial configuration, as a config file, an override or a test passes it: every field optional. */
export type RecConfigInput = v.InferInput<typeof RecConfigSchema>;

/** Every default: what {@link RecConfigSchema} makes of an empty object. */
export const DEFAULT_REC_CONFIG: RecConfig = v.parse(RecConfigSchema, {});

/** The default survey rules (docs/behaviour.md, "Surveys and demographics"). */
export const DEFAULT_SURVEY_RULES: SurveyRules = DEFAULT_REC_CONFIG.survey;

/** The first problem found in a config value. */
export interface ConfigIssue {
  /** Dotted config path, e.g. `fusion.tag` (empty for the root). */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
}

/**
 * Validate a (partial) config object against {@link RecConfigSchema}, filling in the defaults.
 * @param value - a candidate config: any subset of the fields
 * @returns the typed, complete config, or the first issue
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
