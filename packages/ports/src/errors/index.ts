export { ConfigError } from "./config-error.js";
export { InvalidArgumentError } from "./invalid-argument-error.js";
export { RecsysError, type RecsysErrorOptions } from "./recsys-error.js";
export { StoreUnavailableError } from "./store-unavailable-error.js";
