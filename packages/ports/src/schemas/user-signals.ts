import * as v from "valibot";
import { freezeDeep } from "../frozen.js";
import { type ParseResult, safeParseWith } from "./issues.js";

const finite = v.pipe(v.number(), v.finite());
const weights = v.record(v.string(), finite);

/** The first item of an array that is not a finite number, or -1 (-2 when the value is no array). */
function firstNonFinite(input: unknown): number {
  if (!Array.isArray(input)) return -2;
  for (let i = 0; i < input.length; i++) {
    const x: unknown = input[i];
    if (typeof x !== "number" || !Number.isFinite(x)) return i;
  }
  return -1;
}

/**
 * An embedding: finite numbers, checked in one loop. An array schema of number schemas runs a schema per
 * item and copies the array: ~30 µs for 384 dimensions, where this takes ~4 (a model holds two, read back
 * at every store read that is not kept).
 */
const vector = v.nullable(
  v.custom<number[]>(
    (input) => firstNonFinite(input) === -1,
    (issue) => {
      const at = firstNonFinite(issue.input);
      return at === -2
        ? `Invalid type: Expected Array but received ${issue.received}`
        : `Invalid vector: item ${at} is not a finite number`;
    },
  ),
);

/**
 * Schema of the user model (docs/behaviour.md §2). Field names are the stored JSON names, so a model written
 * here is readable by the reference service and vice versa. Unknown keys are ignored on read.
 */
export const UserSignalsSchema = v.object({
  user_id: v.string(),
  positives: v.optional(weights, {}),
  negatives: v.optional(weights, {}),
  viewed: v.optional(v.array(v.string()), []),
  recent_views: v.optional(v.array(v.string()), []),
  tag_affinity: v.optional(weights, {}),
  tag_aversion: v.optional(weights, {}),
  taste_vector: v.optional(vector, null),
  recency_vector: v.optional(vector, null),
  behavior: v.optional(weights, {}),
  demographics: v.optional(v.record(v.string(), v.unknown()), {}),
});

/**
 * The user model. `behavior` holds `n_views, n_positive, n_negative, avg_dwell_ratio, completion_rate,
 * revisit_rate, depth` once any event has been folded in.
 */
export type UserSignals = v.InferOutput<typeof UserSignalsSchema>;

/**
 * An empty user model (what serving uses for an unknown user).
 * @param userId - the user id
 * @returns a cold model with every field empty
 */
export function emptyUserSignals(userId: string): UserSignals {
  return {
    user_id: userId,
    positives: {},
    negatives: {},
    viewed: [],
    recent_views: [],
    tag_affinity: {},
    tag_aversion: {},
    taste_vector: null,
    recency_vector: null,
    behavior: {},
    demographics: {},
  };
}

/**
 * Whether a user model is cold: it has fewer positive items than `minPositives` (the setting
 * `cold_start_min_positives`, default 1: cold means no positive item).
 * @param signals - the user model
 * @param minPositives - how many positive items make a model warm (default 1)
 * @returns true when `positives` has fewer than `minPositives` entries
 */
export function isCold(signals: Pick<UserSignals, "positives">, minPositives = 1): boolean {
  return Object.keys(signals.positives).length < minPositives;
}

/**
 * Validate a stored or received user model.
 * @param value - parsed JSON
 * @returns the typed model (unknown keys dropped; its vectors are the input's arrays, not copies), or a
 *   message describing the first problem
 */
export function safeParseUserSignals(value: unknown): ParseResult<UserSignals> {
  return safeParseWith(UserSignalsSchema, value, "model");
}

/**
 * Freeze a user model deeply (its maps, lists and vectors), so a store can hand the same object to
 * every reader: a reader that tried to change it would throw instead of changing what others see. Stores
 * return frozen models (`UserModelStore.getSignals`); serving keeps per-model work keyed on them.
 * @param signals - a model (plain JSON values; typed arrays cannot be frozen and are not expected here)
 * @returns the same object, frozen
 */
export function freezeSignals(signals: UserSignals): UserSignals {
  return freezeDeep(signals);
}
