import type { ContentStore, PreviewSpec, RecConfig, UserSignals } from "@recsys/ports";
import { emptyUserSignals } from "@recsys/ports";
import { foldAndNormalize } from "./signal-builder.js";
import { surveyAffinity } from "./survey.js";

/**
 * The user model of a hand-authored profile (docs/behaviour.md §6.16), as the reference builds it: the
 * taste is the unit-length, unweighted sum of the liked items' vectors; the tag affinity is the profile's
 * plus what the survey rules make of its demographics (read as survey answers), folded to lower case and
 * scaled so the largest is 1; every liked item is a positive of weight 1 (so never recommended); no recency
 * vector, no aversion. User id `preview`. One content-store round trip, for the liked items' vectors.
 * @param spec - the profile
 * @param contentStore - for the liked items' vectors
 * @param cfg - the survey rules
 */
export async function previewSignals(
  spec: PreviewSpec,
  contentStore: ContentStore,
  cfg: Pick<RecConfig, "survey">,
): Promise<UserSignals> {
  const liked = [...new Set(spec.like_items)];
  let taste: number[] | null = null;
  if (liked.length > 0) {
    const [hits = []] = await contentStore.query([{ kind: "ids", ids: liked }]);
    for (const hit of hits) {
      if (!hit.vector || hit.vector.length === 0) continue;
      taste ??= new Array<number>(hit.vector.length).fill(0);
      if (hit.vector.length !== taste.length) continue;
      for (let i = 0; i < taste.length; i++) taste[i]! += hit.vector[i]!;
    }
    const norm = taste ? Math.hypot(...taste) : 0;
    taste = taste && norm > 0 ? taste.map((x) => x / norm) : null;
  }
  const affinity: Record<string, number> = { ...spec.tag_affinity };
  for (const [key, weight] of Object.entries(surveyAffinity(spec.demographics, cfg.survey).weights))
    affinity[key] = (affinity[key] ?? 0) + weight;
  return {
    ...emptyUserSignals("preview"),
    positives: Object.fromEntries(liked.map((id) => [id, 1])),
    viewed: [...liked].sort(),
    tag_affinity: foldAndNormalize(affinity),
    taste_vector: taste,
    demographics: { ...spec.demographics },
  };
}
