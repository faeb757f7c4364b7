/** What the operator views show of a visitor (docs/behaviour.md §6.18). */
export interface VisitorActivity {
  readonly user_id: string;
  /** The time of their newest buffered event, or null. */
  readonly last_interaction: string | null;
  /** Buffered events. */
  readonly n_events: number;
  /** Items viewed (from the model). */
  readonly n_views: number;
  /** Liked items (positives). */
  readonly n_liked: number;
  /** Items seen. */
  readonly n_seen: number;
  /** Served as cold. */
  readonly cold: boolean;
}

/** What one visitor did with one item, over their buffered history (replaced, never added to). */
export interface VisitorItemActivity {
  readonly id: string;
  /** `CONTENT_VIEW_STARTED` events (at least 1 when only an end was seen). */
  readonly visits: number;
  /** The longest explicit dwell, or null. */
  readonly dwell: number | null;
  /** Whether the item is one of the visitor's positives. */
  readonly positive: boolean;
}

/** An item's activity over every visitor. */
export interface ItemActivity {
  readonly content_id: string;
  /** Visits, summed over visitors. */
  readonly views: number;
  /** Visitors who viewed it. */
  readonly visitors: number;
  /** Mean of the visitors' longest dwell, over visitors with one; null when none. */
  readonly avg_dwell: number | null;
  /** Visitors for whom it is a positive. */
  readonly positive: number;
  /** positive / visitors. */
  readonly positive_rate: number;
}

/**
 * The operator read models (docs/behaviour.md §6.18), kept up to date on ingest so no request scans every
 * stored key: each record *replaces* one visitor's summary and their per-item activity, so a re-delivered
 * or re-played batch changes nothing and item totals are always the sum over visitors.
 */
export interface ActivityStore {
  /**
   * Replace a visitor's summary and their activity on the items they viewed.
   * @param visitor - the summary
   * @param items - their per-item activity (items they no longer have keep their last record)
   */
  record(visitor: VisitorActivity, items: readonly VisitorItemActivity[]): Promise<void>;
  /**
   * The most recent visitors first.
   * @param limit - how many
   */
  visitors(limit: number): Promise<VisitorActivity[]>;
  /** How many visitors are held. */
  visitorCount(): Promise<number>;
  /**
   * The most viewed items first.
   * @param limit - how many
   */
  items(limit: number): Promise<ItemActivity[]>;
  /**
   * One item's activity, or null when nobody viewed it.
   * @param id - the item
   */
  item(id: string): Promise<ItemActivity | null>;
  /** Check the store is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
