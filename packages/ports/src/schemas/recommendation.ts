import * as v from "valibot";
import { type Content, ContentSchema } from "./content.js";

/** Which generator produced a candidate: `semantic`, `tag`, `filter`, `geo`, `filter+geo`, `distractor`, `sample`. */
export type GeneratedBy = string;

/** A recalled candidate (docs/behaviour.md §2). `base_score` is the store's recall score; ranking ignores it. */
export interface Candidate {
  /** The item id. */
  readonly content_id: string;
  /** Which generator recalled it. */
  readonly generated_by: GeneratedBy;
  /** The store's recall score. */
  readonly base_score: number;
}

/** A scored, ranked item of a {@link Recommendation}. */
export interface ScoredCandidate {
  /** The item id. */
  readonly content_id: string;
  /** The fused score (sum of `breakdown`). */
  readonly final_score: number;
  /** weight × score per scorer. */
  readonly breakdown: Readonly<Record<string, number>>;
  /** The 6-feature context vector `[semantic, affinity, tag, recency, aversion, geo]`; `[]` for an unconstrained distractor. */
  readonly features: readonly number[];
  /** The item's content, when known. */
  readonly content: Content | null;
  /** `recommendation` or `distractor`. */
  readonly kind: "recommendation" | "distractor";
  /** Why it is shown, in a sentence a person can read (set on served items). */
  readonly reason?: string;
}

/** What happened to the distractor slot. */
export type DistractorDiagnostics =
  | { readonly content_id: string; readonly strategy: string; readonly slot: number }
  | { readonly placed: false; readonly reason: "filtered_set_exhausted" | "no_candidate" };

/** Diagnostics of one recommendation (docs/behaviour.md §6.9). */
export interface RecommendationDiagnostics {
  /** Number of distinct candidates recalled (unseen ones; stores exclude seen items). */
  readonly pool_size: number;
  /** Number of candidates scored. Absent on an empty result. */
  readonly scored?: number;
  /** Generators that ran: `["semantic", "tag"]`, `["filter"]`, `["geo"]` or `["filter", "geo"]`. */
  readonly generators: readonly string[];
  /** The cold-start sample was used. */
  readonly cold_start_fallback?: boolean;
  /** Already-seen items of the filter/geo set were re-shown. */
  readonly seen_fallback?: boolean;
  /** The filter value of the request, or null. */
  readonly filter: string | null;
  /** Whether a `near` point was given. */
  readonly geo?: boolean;
  /** The ranking policy that set the relevance scores (`static` unless `ranking_mode` names another). */
  readonly ranking?: string;
  /** The ranking policy's version when it has one (the bandit: its number of learned observations). */
  readonly ranking_version?: number;
  /** The version of the runtime settings the list was made with (set by the service). */
  readonly settings_version?: number;
  /** The running experiment's name, when there is one. */
  readonly experiment?: string;
  /** The user's variant in the running experiment. */
  readonly variant?: string;
  /** The distractor outcome; absent when no distractor was requested. */
  readonly distractor?: DistractorDiagnostics;
  /** Why the result is empty: `empty_filter` or `no_content`. */
  readonly reason?: "empty_filter" | "no_content";
}

/** A ranked list for one user. */
export interface Recommendation {
  /** The user. */
  readonly user_id: string;
  /** Ranked items, distractor included. */
  readonly items: readonly ScoredCandidate[];
  /** `warm` or `cold`. */
  readonly strategy: "warm" | "cold";
  /** How the list was made. */
  readonly diagnostics: RecommendationDiagnostics;
}

/** Schema of one served item on the wire (HTTP and CLI output). */
export const RecommendationItemSchema = v.object({
  id: v.string(),
  rank: v.pipe(v.number(), v.integer(), v.minValue(1)),
  relevance_score: v.number(),
  role: v.picklist(["target", "distractor"]),
  breakdown: v.record(v.string(), v.number()),
  features: v.array(v.number()),
  /** Why it is shown, in a sentence (from the strongest part of its breakdown). */
  reason: v.optional(v.string()),
  content: v.optional(ContentSchema),
});

/** One served item on the wire. */
export type RecommendationItem = v.InferOutput<typeof RecommendationItemSchema>;
