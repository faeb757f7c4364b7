import { RecsysError, type RecsysErrorOptions } from "./recsys-error.js";

/** A configuration value (environment variable, config file key or explicit option) is invalid. */
export class ConfigError extends RecsysError {
  /** The environment variable or config path at fault, e.g. `RECSYS_MMR_LAMBDA` or `fusion.tag`. */
  readonly variable: string;

  /**
   * @param variable - the environment variable or config key path at fault
   * @param message - what is wrong with it
   * @param options - optional `cause`
   */
  constructor(variable: string, message: string, options: RecsysErrorOptions = {}) {
    super(`${variable}: ${message}`, "config_error", options);
    this.name = "ConfigError";
    this.variable = variable;
  }

  /**
   * Whether `value` is a {@link ConfigError}.
   * @param value - anything
   */
  static override isInstance(value: unknown): value is ConfigError {
    return RecsysError.isInstance(value) && value.code === "config_error";
  }
}
