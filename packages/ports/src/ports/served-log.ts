import type { ServedEntry } from "../schemas/served.js";

/**
 * The log of served lists (docs/behaviour.md, "Learning from feedback"): every recommendation the service
 * answered, bounded by a length cap and an age.
 */
export interface ServedLog {
  /**
   * Record one served list.
   * @param entry - the list
   * @param text - exactly `JSON.stringify(entry)`, when the caller has made it (the service makes it from its
   *   answer's own score texts); a store that keeps entries as JSON keeps it instead of serialising again
   */
  append(entry: ServedEntry, text?: string): Promise<void>;
  /**
   * The newest entries first.
   * @param options - `limit` (default 50), `userId` to keep one user's only
   */
  recent(options?: { readonly limit?: number; readonly userId?: string }): Promise<ServedEntry[]>;
  /** Check the log is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
