import * as v from "valibot";
import { type ParseResult, safeParseWith } from "./issues.js";
import { MAX_LIMIT } from "./recommend-options.js";

/**
 * Schema of a hand-authored profile to preview recommendations for (docs/behaviour.md §6.16): tag
 * affinities, liked items, survey answers or demographics, and a list length. Nothing is stored.
 */
export const PreviewSpecSchema = v.strictObject({
  /** Tag key (`facet:label`) → weight; folded to lower case and scaled so the largest is 1. */
  tag_affinity: v.optional(v.record(v.string(), v.pipe(v.number(), v.finite())), {}),
  /** Items the profile liked: their vectors make the taste, and they are never recommended. */
  like_items: v.optional(v.pipe(v.array(v.string()), v.maxLength(200, "at most 200 like_items")), []),
  /** Survey answers or demographics, read as the survey rules read answers. */
  demographics: v.optional(v.record(v.string(), v.unknown()), {}),
  /** A partial settings override for this preview only (what-if: weights, MMR λ, distractor), validated. */
  settings: v.optional(v.record(v.string(), v.unknown()), {}),
  /** How many items to answer (1..50). */
  limit: v.optional(
    v.nullable(
      v.pipe(
        v.number(),
        v.integer(`limit must be an integer from 1 to ${MAX_LIMIT}`),
        v.minValue(1, `limit must be an integer from 1 to ${MAX_LIMIT}`),
        v.maxValue(MAX_LIMIT, `limit must be an integer from 1 to ${MAX_LIMIT}`),
      ),
    ),
    null,
  ),
});

/** A hand-authored profile. */
export type PreviewSpec = v.InferOutput<typeof PreviewSpecSchema>;

/**
 * Validate a preview profile.
 * @param value - parsed JSON
 */
export function safeParsePreviewSpec(value: unknown): ParseResult<PreviewSpec> {
  return safeParseWith(PreviewSpecSchema, value, "profile");
}
