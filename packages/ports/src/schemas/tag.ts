import * as v from "valibot";

/** Schema of an expert tag: a `facet` (taxonomy dimension), a `label` and a confidence `weight`. */
export const TagSchema = v.object({
  facet: v.string(),
  label: v.string(),
  weight: v.optional(v.pipe(v.number(), v.finite()), 1),
});

/** An expert tag. Its raw key is `facet + ":" + label` (see {@link tagKey}). */
export type Tag = v.InferOutput<typeof TagSchema>;

/**
 * The raw (not normalised) key of a tag.
 * @param tag - the tag
 * @returns `facet:label`
 * @example tagKey({ facet: "theme_what", label: "Forced Labor", weight: 1 }) // "theme_what:Forced Labor"
 */
export function tagKey(tag: Pick<Tag, "facet" | "label">): string {
  return `${tag.facet}:${tag.label}`;
}
