import {
  ConfigError,
  DEFAULT_REC_CONFIG,
  type RecConfig,
  type RecConfigInput,
  safeParseRecConfig,
} from "@recsys/ports";

/** An environment: variable name → value (unset variables are absent or undefined). */
export type Environment = Readonly<Record<string, string | undefined>>;

type Kind = "number" | "integer" | "boolean" | "string" | "integer-list" | "json";

interface EnvBinding {
  /** Environment variable name. */
  readonly variable: string;
  /** Config path, e.g. `["fusion", "tag"]`. */
  readonly path: readonly string[];
  readonly kind: Kind;
}

const NESTED_PREFIX: Record<string, string> = { fusion: "RECSYS_W_", engagement: "RECSYS_ENGAGEMENT_" };

function kindOf(value: unknown): Kind {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "integer-list";
  return typeof value === "number" ? "number" : "json";
}

const INTEGER_KEYS = new Set([
  "pool_per_generator",
  "affinity_top_k",
  "final_limit",
  "cold_start_min_positives",
]);

/**
 * Every environment variable {@link resolveConfig} reads, with the config path it sets: `RECSYS_W_<NAME>`
 * for fusion weights, `RECSYS_ENGAGEMENT_<NAME>` for engagement weights, `RECSYS_SURVEY_RULES` (a JSON
 * object merged into the survey rules), and `RECSYS_<KEY>` for every other field.
 */
export const CONFIG_ENV_BINDINGS: readonly EnvBinding[] = Object.entries(DEFAULT_REC_CONFIG).flatMap(
  ([key, value]): EnvBinding[] => {
    const prefix = NESTED_PREFIX[key];
    if (prefix) {
      return Object.keys(value as object).map((sub) => ({
        variable: `${prefix}${sub.toUpperCase()}`,
        path: [key, sub],
        kind: "number" as const,
      }));
    }
    if (key === "survey") return [{ variable: "RECSYS_SURVEY_RULES", path: [key], kind: "json" }];
    const kind = INTEGER_KEYS.has(key) ? "integer" : kindOf(value);
    return [{ variable: `RECSYS_${key.toUpperCase()}`, path: [key], kind }];
  },
);

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/**
 * Parse a boolean setting: 1/0, true/false, yes/no, on/off (any case, surrounding space ignored).
 * @param variable - the variable or key, named in the error
 * @param raw - the text
 * @throws ConfigError naming the variable for any other value
 */
export function parseFlag(variable: string, raw: string): boolean {
  const lower = raw.trim().toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(variable, `expected a boolean (1/0, true/false, yes/no), got ${JSON.stringify(raw)}`);
}

function parseNumber(variable: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ConfigError(variable, `expected a number, got ${JSON.stringify(text)}`);
  if (integer && !Number.isInteger(n)) {
    throw new ConfigError(variable, `expected an integer, got ${JSON.stringify(text)}`);
  }
  return n;
}

function parseEnvValue(binding: EnvBinding, raw: string): unknown {
  const text = raw.trim();
  const { variable } = binding;
  switch (binding.kind) {
    case "number":
      return parseNumber(variable, text, false);
    case "integer":
      return parseNumber(variable, text, true);
    case "boolean":
      return parseFlag(variable, raw);
    case "string":
      return text;
    case "integer-list":
      return text
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "")
        .map((part) => parseNumber(variable, part, true));
    case "json": {
      try {
        return JSON.parse(text);
      } catch {
        throw new ConfigError(variable, "expected a JSON object");
      }
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deep-merge `patch` into `base`: nested plain objects merge, everything else (arrays included) replaces.
 * @param base - the base object
 * @param patch - the patch
 * @returns a new merged object
 */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(out[key]) && isPlainObject(value) ? deepMerge(out[key], value) : value;
  }
  return out as T;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * The partial config set by `RECSYS_*` environment variables (see {@link CONFIG_ENV_BINDINGS}). Empty
 * variables count as unset.
 * @param env - the environment
 * @returns the partial config and which variable set each path
 * @throws ConfigError naming the variable when a value does not parse
 */
export function configFromEnv(env: Environment): { partial: RecConfigInput; sources: Map<string, string> } {
  const partial: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const binding of CONFIG_ENV_BINDINGS) {
    const raw = env[binding.variable];
    if (raw === undefined || raw.trim() === "") continue;
    setPath(partial, binding.path, parseEnvValue(binding, raw));
    sources.set(binding.path.join("."), binding.variable);
  }
  return { partial: partial as RecConfigInput, sources };
}

/**
 * Resolve the recommender config: defaults (reference §3.1), then `RECSYS_*` environment overrides, then
 * an explicit partial (e.g. a config file), deep-merged. The result is validated: unknown keys, wrong
 * types and out-of-range values (e.g. `mmr_lambda` outside [0, 1]) are errors, never silently ignored.
 *
 * @param partial - an explicit partial config (wins over the environment); may be untrusted JSON
 * @param env - the environment (pass `process.env` from an app; defaults to none)
 * @returns the validated config
 * @throws ConfigError naming the environment variable or config path at fault
 * @example resolveConfig({ mmr_lambda: 0.5 }, { RECSYS_W_TAG: "0.6" }).fusion.tag // 0.6
 */
export function resolveConfig(partial: unknown = {}, env: Environment = {}): RecConfig {
  if (!isPlainObject(partial)) throw new ConfigError("config", "expected a JSON object");
  const fromEnv = configFromEnv(env);
  const merged = deepMerge(deepMerge(DEFAULT_REC_CONFIG as unknown, fromEnv.partial), partial);
  const result = safeParseRecConfig(merged);
  if (result.success) return result.output;
  const { path, message } = result.issue;
  const source = fromEnv.sources.get(path) ?? fromEnv.sources.get(path.split(".")[0] ?? "");
  const onlyEnv = source !== undefined && !hasPath(partial, path);
  const variable = onlyEnv ? source : path || "config";
  throw new ConfigError(variable, message);
}

function hasPath(object: Record<string, unknown>, path: string): boolean {
  let node: unknown = object;
  for (const key of path.split(".")) {
    if (!isPlainObject(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}
