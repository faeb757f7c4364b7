import type { RankingPolicy } from "./types.js";

/** The static policy: relevance is the fused score, the sum of the breakdown (docs/behaviour.md, "Fusion"). */
export const STATIC_POLICY: RankingPolicy = {
  name: "static",
  rank: (items) => items.map((item) => item.final_score),
};

/** The ranking policies `ranking_mode` selects from. */
export const RANKING_POLICIES: Readonly<Record<string, RankingPolicy>> = { static: STATIC_POLICY };
