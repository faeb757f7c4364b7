/**
 * `@recsys/core/config`: the settings' environment variables and the helpers every package uses to read
 * its own variables (flags, bounded integers, unknown-variable checks with suggestions).
 * @packageDocumentation
 */
export {
  CONFIG_ENV_BINDINGS,
  CONFIG_ENV_VARIABLES,
  checkEnvironment,
  configFromEnv,
  deepMerge,
  type EnvBinding,
  type Environment,
  parseFlag,
  resolveConfig,
  type SettingKind,
} from "../config.js";
export { readFlag, readInteger, readString } from "../env.js";
export { editDistance, nearest } from "../suggest.js";
