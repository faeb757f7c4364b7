const marker = Symbol.for("recsys.error");

/** Options accepted by every recsys error. */
export interface RecsysErrorOptions {
  /** The underlying failure, if any. */
  readonly cause?: unknown;
}

/**
 * Root of the recsys error hierarchy.
 *
 * Use the static `isInstance` helpers rather than `instanceof`: they keep working when two copies of
 * `@recsys/ports` end up installed side by side.
 */
export class RecsysError extends Error {
  /** Marker shared by every recsys error, across duplicate installs. */
  readonly [marker] = true;
  /** A stable, machine-readable error code (e.g. `invalid_argument`). */
  readonly code: string;

  /**
   * @param message - human-readable description
   * @param code - machine-readable code
   * @param options - optional `cause`
   */
  constructor(message: string, code = "recsys_error", options: RecsysErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RecsysError";
    this.code = code;
  }

  /**
   * Whether `value` is any recsys error.
   * @param value - anything
   * @returns true for every error of this hierarchy
   */
  static isInstance(value: unknown): value is RecsysError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
