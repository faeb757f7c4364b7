import { RecsysError, type RecsysErrorOptions } from "./recsys-error.js";

/** A backing store (Redis, Qdrant, ...) is down, timed out or answered with a server error. */
export class StoreUnavailableError extends RecsysError {
  /** Which store failed, e.g. `redis` or `qdrant`. */
  readonly store: string;

  /**
   * @param store - the store that failed
   * @param message - what happened
   * @param options - optional `cause` (the driver error)
   */
  constructor(store: string, message: string, options: RecsysErrorOptions = {}) {
    super(`${store}: ${message}`, "store_unavailable", options);
    this.name = "StoreUnavailableError";
    this.store = store;
  }

  /**
   * Whether `value` is a {@link StoreUnavailableError}.
   * @param value - anything
   */
  static override isInstance(value: unknown): value is StoreUnavailableError {
    return RecsysError.isInstance(value) && value.code === "store_unavailable";
  }
}
