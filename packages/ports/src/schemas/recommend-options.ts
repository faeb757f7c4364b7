import * as v from "valibot";
import { issuePath } from "./issues.js";

// The options of one recommendation, in one place for the HTTP query, the CLI flags and the Recommender.
// Typed values (numbers, booleans) are checked by `RecommendOptionsSchema`; text (a query string, a
// command-line flag) goes through `RecommendQuerySchema`, which converts each field and then applies the
// very same field schema.

/** The longest accepted user id, filter value or other identifier in a request. */
export const MAX_ID_LENGTH = 512;
/** The largest `limit` of one recommendation. */
export const MAX_LIMIT = 50;
/** Half the Earth's circumference in metres: the largest useful `geo_radius_m`. */
export const MAX_RADIUS_M = 20_037_509;

/** A finite number within bounds, every message naming the field. */
function boundedNumber<const N extends string>(name: N, min: number, max: number, description: string) {
  const range = `${name} must be between ${min} and ${max}` as const;
  return v.pipe(
    v.number(`${name} must be a number`),
    v.finite(`${name} must be a finite number`),
    v.minValue(min, range),
    v.maxValue(max, range),
    v.description(description),
  );
}

const fields = {
  limit: v.pipe(
    v.number("limit must be a number"),
    v.integer(`limit must be an integer from 1 to ${MAX_LIMIT}`),
    v.minValue(1, `limit must be an integer from 1 to ${MAX_LIMIT}`),
    v.maxValue(MAX_LIMIT, `limit must be an integer from 1 to ${MAX_LIMIT}`),
    v.description(`Truncate the list (1..${MAX_LIMIT}), after the distractor is placed.`),
  ),
  filter: v.pipe(
    v.string("filter must be a string"),
    v.trim(),
    v.minLength(1, "filter must not be empty"),
    v.maxLength(256, "filter is longer than 256 characters"),
    v.description("Only items with this tag value, e.g. AiARLocationBarrack3."),
  ),
  near_lat: boundedNumber("near_lat", -90, 90, "Latitude of the visitor; with near_lon adds the geo scorer."),
  near_lon: boundedNumber("near_lon", -180, 180, "Longitude of the visitor."),
  geo_radius_m: boundedNumber(
    "geo_radius_m",
    0,
    MAX_RADIUS_M,
    "With near_lat/near_lon: only items within this many metres.",
  ),
  include_content: v.pipe(
    v.boolean("include_content must be true or false"),
    v.description("Include each item's content (default true)."),
  ),
  seed: v.pipe(
    v.number("seed must be a number"),
    v.integer("seed must be an integer from 0 to 4294967295"),
    v.minValue(0, "seed must be an integer from 0 to 4294967295"),
    v.maxValue(4_294_967_295, "seed must be an integer from 0 to 4294967295"),
    v.description("Seed of the request's randomness (distractor decision and slot): same seed, same list."),
  ),
} as const;

/** A field of the recommend options. */
export type RecommendOptionField = keyof typeof fields;

/** The fields of {@link RecommendOptionsSchema}, in the order they are documented. */
export const RECOMMEND_OPTION_FIELDS = Object.keys(fields) as readonly RecommendOptionField[];

function crossFieldIssue(options: {
  readonly near_lat?: number | undefined;
  readonly near_lon?: number | undefined;
  readonly geo_radius_m?: number | undefined;
}): { readonly field: string; readonly message: string } | null {
  const hasLat = options.near_lat !== undefined;
  const hasLon = options.near_lon !== undefined;
  if (hasLat !== hasLon) {
    return hasLat
      ? { field: "near_lon", message: "near_lon is required with near_lat" }
      : { field: "near_lat", message: "near_lat is required with near_lon" };
  }
  if (options.geo_radius_m !== undefined && !hasLat) {
    return { field: "geo_radius_m", message: "geo_radius_m needs near_lat and near_lon" };
  }
  return null;
}

const crossField = <T extends Parameters<typeof crossFieldIssue>[0]>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const issue = crossFieldIssue(dataset.value);
    if (issue) {
      addIssue({
        message: issue.message,
        path: [
          {
            type: "object",
            origin: "value",
            input: dataset.value as Record<string, unknown>,
            key: issue.field,
            value: (dataset.value as Record<string, unknown>)[issue.field],
          },
        ],
      });
    }
  });

const optionalFields = {
  limit: v.optional(fields.limit),
  filter: v.optional(fields.filter),
  near_lat: v.optional(fields.near_lat),
  near_lon: v.optional(fields.near_lon),
  geo_radius_m: v.optional(fields.geo_radius_m),
  include_content: v.optional(fields.include_content),
  seed: v.optional(fields.seed),
};

/**
 * Schema of the options of one recommendation, as typed values (what `Recommender.recommend` takes).
 * `near_lat` and `near_lon` come together; `geo_radius_m` needs them.
 */
export const RecommendOptionsSchema = v.pipe(
  v.strictObject(optionalFields, (issue) =>
    issue.expected === "never"
      ? `unknown option ${issue.received}; the options are ${Object.keys(optionalFields).join(", ")}`
      : issue.message,
  ),
  crossField<v.InferOutput<v.StrictObjectSchema<typeof optionalFields, undefined>>>(),
);

/** The options of one recommendation (see {@link RecommendOptionsSchema}). */
export type RecommendRequestOptions = v.InferOutput<typeof RecommendOptionsSchema>;

const single = (name: string) => v.string(`${name} must be a single value`);
const fromNumberText = (name: string) =>
  v.pipe(
    single(name),
    v.trim(),
    v.regex(/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/, `${name} must be a number`),
    v.transform(Number),
  );
const fromBooleanText = (name: string) =>
  v.pipe(
    single(name),
    v.trim(),
    v.toLowerCase(),
    v.picklist(["true", "false", "1", "0", "yes", "no"], `${name} must be true or false`),
    v.transform((value) => value === "true" || value === "1" || value === "yes"),
  );

/** A user id as a request names it: trimmed, 1 to {@link MAX_ID_LENGTH} characters. */
export const UserIdSchema = v.pipe(
  v.string("user_id must be a string"),
  v.trim(),
  v.minLength(1, "user_id must not be empty"),
  v.maxLength(MAX_ID_LENGTH, `user_id is longer than ${MAX_ID_LENGTH} characters`),
  v.description("The user (RudderStack userId or anonymousId)."),
);

const textFields = {
  limit: v.optional(v.pipe(fromNumberText("limit"), fields.limit)),
  filter: v.optional(v.pipe(single("filter"), fields.filter)),
  near_lat: v.optional(v.pipe(fromNumberText("near_lat"), fields.near_lat)),
  near_lon: v.optional(v.pipe(fromNumberText("near_lon"), fields.near_lon)),
  geo_radius_m: v.optional(v.pipe(fromNumberText("geo_radius_m"), fields.geo_radius_m)),
  include_content: v.optional(v.pipe(fromBooleanText("include_content"), fields.include_content)),
  seed: v.optional(v.pipe(fromNumberText("seed"), fields.seed)),
};

/**
 * Schema of the recommend options as text (command-line flags): each field is converted from text and
 * then checked by the same field schema as {@link RecommendOptionsSchema}.
 */
export const RecommendOptionsTextSchema = v.pipe(
  v.object(textFields),
  crossField<v.InferOutput<v.ObjectSchema<typeof textFields, undefined>>>(),
);

const queryFields = { user_id: UserIdSchema, ...textFields };

/** Schema of the query of `GET /api/recommend`: the user id and the options as text. */
export const RecommendQuerySchema = v.pipe(
  v.object(queryFields),
  crossField<v.InferOutput<v.ObjectSchema<typeof queryFields, undefined>>>(),
);

/** The recommend options parsed from text, with the user id. */
export type RecommendQuery = v.InferOutput<typeof RecommendQuerySchema>;

/** The outcome of validating recommend options: the value, or the field at fault and what is wrong. */
export type OptionsParseResult<T> =
  | { readonly success: true; readonly output: T }
  | { readonly success: false; readonly field: string; readonly message: string };

function parseOptions<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
): OptionsParseResult<v.InferOutput<S>> {
  const result = v.safeParse(schema, value);
  if (result.success) return { success: true, output: result.output };
  const issue = result.issues[0];
  return { success: false, field: issuePath(issue) || "options", message: issue.message };
}

/**
 * Validate recommend options given as typed values.
 * @param value - the options
 * @returns the options, or the field at fault and the problem
 * @example safeParseRecommendOptions({ limit: 0 }) // { success: false, field: "limit", message: "limit must be an integer from 1 to 50" }
 */
export function safeParseRecommendOptions(value: unknown): OptionsParseResult<RecommendRequestOptions> {
  return parseOptions(RecommendOptionsSchema, value);
}

/**
 * Validate recommend options given as text (command-line flags), converting them to typed values.
 * @param value - field → text
 * @returns the options, or the field at fault and the problem
 */
export function safeParseRecommendOptionsText(value: unknown): OptionsParseResult<RecommendRequestOptions> {
  return parseOptions(RecommendOptionsTextSchema, value);
}

/**
 * Validate a recommend query (user id and options as text), converting the options to typed values.
 * @param value - field → text
 * @returns the options with the user id, or the field at fault and the problem
 */
export function safeParseRecommendQuery(value: unknown): OptionsParseResult<RecommendQuery> {
  return parseOptions(RecommendQuerySchema, value);
}
