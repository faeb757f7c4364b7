/** The runtime settings override and its version (docs/behaviour.md §3.1). */
export interface RuntimeSettings {
  /** Counts the changes made: 0 before the first. */
  readonly version: number;
  /** The partial settings applied over the start-up settings (`{}` when none). */
  readonly override: Readonly<Record<string, unknown>>;
}

/** One change of the runtime settings. */
export interface SettingsChange {
  /** The version the change made. */
  readonly version: number;
  /** When, ISO 8601 UTC. */
  readonly at: string;
  /** Who: the id of the key that made it. */
  readonly who: string;
  /** `put` (a partial merged in) or `reset` (back to the start-up settings). */
  readonly action: "put" | "reset";
  /** The partial that was merged in (`{}` for a reset). */
  readonly partial: Readonly<Record<string, unknown>>;
}

/**
 * Where runtime settings live, shared by every replica: the current override with a version, changed only
 * by {@link SettingsStore.update} (atomic: concurrent changes are never lost), and the log of changes.
 */
export interface SettingsStore {
  /** The current override and version. */
  current(): Promise<RuntimeSettings>;
  /** The current version only (cheap: replicas poll it). */
  version(): Promise<number>;
  /**
   * Change the override atomically: `change` gets the current override and returns the next one (or
   * throws to refuse, changing nothing); it may be called again when another change raced it.
   * @param change - current override → next override
   * @param entry - who and what, for the change log
   * @returns the new override and version
   */
  update(
    change: (current: Readonly<Record<string, unknown>>) => Record<string, unknown>,
    entry: Omit<SettingsChange, "version">,
  ): Promise<RuntimeSettings>;
  /**
   * The newest changes first.
   * @param limit - how many (default 50)
   */
  changes(limit?: number): Promise<SettingsChange[]>;
  /** Check the store is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
