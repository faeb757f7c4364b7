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

/**
 * What learning from feedback stores besides the logs: the features of served items awaiting their reward
 * (impressions), and the ranking policy's learned statistics. Shared by every replica.
 */
export interface FeedbackStore {
  /**
   * Remember the feature vectors of a served list's items, until their reward arrives or the impression
   * expires. A no-op when `features` is empty.
   * @param requestId - the served list's request id
   * @param features - content id → its 6-feature vector
   */
  putImpressions(requestId: string, features: Readonly<Record<string, readonly number[]>>): Promise<void>;
  /**
   * Take an impression's features, at most once: the first call for a (request, item) pair answers them,
   * every later one (a re-delivered event, a concurrent ingest on another replica) answers null.
   * @param requestId - the served list's request id
   * @param contentId - the item
   * @returns the features, or null when there is no such impression (never served, expired, or taken)
   */
  consumeImpression(requestId: string, contentId: string): Promise<number[] | null>;
  /** The policy's learned statistics (all zero when nothing was learned). */
  policySums(): Promise<PolicySums>;
  /**
   * Add observations to the policy's statistics atomically (an addition, never a read-modify-write).
   * @param delta - the sums to add
   */
  addToPolicy(delta: PolicySums): Promise<void>;
  /** Forget what the policy learned (back to its prior). */
  resetPolicy(): Promise<void>;
  /** Check the store is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
