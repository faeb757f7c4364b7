import { RecsysError, type RecsysErrorOptions } from "./recsys-error.js";

/** A caller passed a value that breaks a documented contract (a 4xx in HTTP terms). */
export class InvalidArgumentError extends RecsysError {
  /** The offending field or argument name, e.g. `limit` or `body.batch[3]`. */
  readonly field: string | undefined;

  /**
   * @param message - what is wrong
   * @param field - the offending field, if one can be named
   * @param options - optional `cause`
   */
  constructor(message: string, field?: string, options: RecsysErrorOptions = {}) {
    super(message, "invalid_argument", options);
    this.name = "InvalidArgumentError";
    this.field = field;
  }

  /**
   * Whether `value` is an {@link InvalidArgumentError}.
   * @param value - anything
   */
  static override isInstance(value: unknown): value is InvalidArgumentError {
    return RecsysError.isInstance(value) && value.code === "invalid_argument";
  }
}
