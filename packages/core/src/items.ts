import type { Recommendation, RecommendationItem } from "@recsys/ports";

/**
 * The wire form of a recommendation's items (HTTP and CLI): 1-based `rank` (distractor included),
 * `relevance_score`, `role`, `breakdown`, `features`, and `content` unless excluded or unknown.
 * @param recommendation - the recommendation
 * @param options - `includeContent` (default true)
 */
export function toRecommendationItems(
  recommendation: Pick<Recommendation, "items">,
  options: { readonly includeContent?: boolean } = {},
): RecommendationItem[] {
  const includeContent = options.includeContent ?? true;
  return recommendation.items.map((item, index) => ({
    id: item.content_id,
    rank: index + 1,
    relevance_score: item.final_score,
    role: item.kind === "distractor" ? "distractor" : "target",
    breakdown: { ...item.breakdown },
    features: [...item.features],
    ...(item.reason !== undefined ? { reason: item.reason } : {}),
    ...(includeContent && item.content ? { content: item.content } : {}),
  }));
}
