/**
 * Sufficient statistics of the LinUCB ranking policy beyond its prior (docs/behaviour.md, "Learning from
 * feedback"): `A = Σ weight·x xᵀ` (row-major, d × d), `b = Σ weight·reward·x`, `n_updates` = number of
 * observations. Every update is an addition, so updates from any number of replicas commute.
 */
export interface PolicySums {
  /** Σ weight·x xᵀ, row-major (d × d numbers). */
  readonly A: readonly number[];
  /** Σ weight·reward·x (d numbers). */
  readonly b: readonly number[];
  /** How many observations were added. */
  readonly n_updates: number;
}

/** A served item awaiting its reward: its features, and how its list was made (for metrics by group). */
export interface Impression {
  /** The item's 6-feature vector. */
  readonly features: readonly number[];
  /** Its rank in the served list (1-based). */
  readonly rank: number;
  /** The list's strategy (`warm` or `cold`). */
  readonly strategy: string;
  /** The list's ranking policy. */
  readonly ranking: string;
  /** The list's experiment variant, or null. */
  readonly variant: string | null;
}

/**
 * What learning from feedback stores besides the logs: the features of served items awaiting their reward
 * (impressions), and the ranking policy's learned statistics. Shared by every replica.
 */
export interface FeedbackStore {
  /**
   * Remember a served list's items until their reward arrives or the impressions expire. A no-op when
   * `impressions` is empty.
   * @param requestId - the served list's request id
   * @param impressions - content id → its impression
   * @param texts - content id → exactly `JSON.stringify` of its impression, when the caller has made them
   *   (the service makes them from its answer's own score texts); a store that keeps impressions as JSON
   *   keeps these instead of serialising again, and serialises those not given
   */
  putImpressions(
    requestId: string,
    impressions: Readonly<Record<string, Impression>>,
    texts?: Readonly<Record<string, string>>,
  ): Promise<void>;
  /**
   * Take an impression, at most once: the first call for a (request, item) pair answers it, every later
   * one (a re-delivered event, a concurrent ingest on another replica) answers null.
   * @param requestId - the served list's request id
   * @param contentId - the item
   * @returns the impression, or null when there is none (never served, expired, or taken)
   */
  consumeImpression(requestId: string, contentId: string): Promise<Impression | null>;
  /** The policy's learned statistics (all zero when nothing was learned). */
  policySums(): Promise<PolicySums>;
  /**
   * Add observations to the policy's statistics atomically (an addition, never a read-modify-write).
   * @param delta - the sums to add
   */
  addToPolicy(delta: PolicySums): Promise<void>;
  /**
   * Start the policy from trained sums (a state file), atomically and at most once: only a store that has
   * learned nothing and was never seeded takes them, so replicas starting together seed it once.
   * @param sums - the trained sums
   * @param token - names the seed (a hash of the file, say), kept with the sums
   * @returns whether this call seeded the store
   */
  seedPolicy(sums: PolicySums, token: string): Promise<boolean>;
  /** Forget what the policy learned (back to its prior). */
  resetPolicy(): Promise<void>;
  /** Check the store is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
