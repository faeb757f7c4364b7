import { ConfigError, type RecConfig, RecConfigSchema, safeParseRecConfig } from "@recsys/ports";
import { variantConfigs } from "./experiments.js";
import { nearest } from "./suggest.js";

/** An environment: variable name → value (unset variables are absent or undefined). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** How an environment variable's text becomes a setting. */
export type SettingKind = "number" | "integer" | "boolean" | "string" | "integer-list" | "json";

/** One `RECSYS_*` variable of the settings and the setting it sets. */
export interface EnvBinding {
  /** Environment variable name. */
  readonly variable: string;
  /** Setting path, e.g. `["fusion", "tag"]`. */
  readonly path: readonly string[];
  /** How its text is read. */
  readonly kind: SettingKind;
}

/** Nested groups whose members each get a variable, with the variable prefix. */
const NESTED_PREFIX: Readonly<Record<string, string>> = {
  fusion: "RECSYS_W_",
  engagement: "RECSYS_ENGAGEMENT_",
};

// The schema's shape, as far as the kinds need it (valibot schemas are plain objects).
interface SchemaNode {
  readonly type: string;
  readonly wrapped?: SchemaNode;
  readonly pipe?: readonly { readonly type: string; readonly kind?: string }[];
  readonly item?: SchemaNode;
  readonly entries?: Readonly<Record<string, SchemaNode>>;
}

function unwrap(node: SchemaNode): SchemaNode {
  return node.type === "optional" && node.wrapped ? unwrap(node.wrapped) : node;
}

function isInteger(node: SchemaNode): boolean {
  return (node.pipe ?? []).some((step) => step.type === "integer");
}

/**
 * The kind of a setting, read off its schema: numbers (integers when the schema says so), booleans,
 * strings and picklists, lists of integers, and JSON for anything structured.
 * @param node - the setting's schema
 */
function kindOf(node: SchemaNode): SettingKind {
  const base = unwrap(node);
  switch (base.type) {
    case "number":
      return isInteger(base) ? "integer" : "number";
    case "boolean":
      return "boolean";
    case "string":
    case "picklist":
      return "string";
    case "array": {
      const item = base.item ?? unwrap((base.pipe?.[0] as SchemaNode | undefined) ?? base);
      return unwrap(item).type === "number" ? "integer-list" : "json";
    }
    default:
      return "json";
  }
}

function entriesOf(node: SchemaNode): Readonly<Record<string, SchemaNode>> {
  const base = unwrap(node);
  // A piped object keeps its entries on the first pipe item.
  const inner = (base.pipe?.[0] as SchemaNode | undefined) ?? base;
  return base.entries ?? inner.entries ?? {};
}

/**
 * Every environment variable {@link resolveConfig} reads, derived from the settings schema:
 * `RECSYS_W_<NAME>` for fusion weights, `RECSYS_ENGAGEMENT_<NAME>` for engagement weights,
 * `RECSYS_SURVEY_RULES` (a JSON object of survey rules), and `RECSYS_<KEY>` for every other setting.
 */
export const CONFIG_ENV_BINDINGS: readonly EnvBinding[] = Object.entries(
  entriesOf(RecConfigSchema as unknown as SchemaNode),
).flatMap(([key, node]): EnvBinding[] => {
  const prefix = NESTED_PREFIX[key];
  if (prefix) {
    return Object.entries(entriesOf(node)).map(([sub, subNode]) => ({
      variable: `${prefix}${sub.toUpperCase()}`,
      path: [key, sub],
      kind: kindOf(subNode),
    }));
  }
  const variable = key === "survey" ? "RECSYS_SURVEY_RULES" : `RECSYS_${key.toUpperCase()}`;
  return [{ variable, path: [key], kind: kindOf(node) }];
});

/** The names of {@link CONFIG_ENV_BINDINGS}. */
export const CONFIG_ENV_VARIABLES: readonly string[] = CONFIG_ENV_BINDINGS.map((b) => b.variable);

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
  const n = text === "" ? Number.NaN : Number(text);
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
export function configFromEnv(env: Environment): {
  partial: Record<string, unknown>;
  sources: Map<string, string>;
} {
  const partial: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const binding of CONFIG_ENV_BINDINGS) {
    const raw = env[binding.variable];
    if (raw === undefined || raw.trim() === "") continue;
    setPath(partial, binding.path, parseEnvValue(binding, raw));
    sources.set(binding.path.join("."), binding.variable);
  }
  return { partial, sources };
}

/** Every top-level setting name and nested `group.name`, for suggestions. */
const SETTING_PATHS: readonly string[] = CONFIG_ENV_BINDINGS.map((b) => b.path.join("."));

/**
 * Resolve the recommender config: the schema's defaults, then `RECSYS_*` environment overrides, then an
 * explicit partial (e.g. a config file), deep-merged. The result is validated: unknown keys (with the
 * nearest valid name suggested), wrong types and out-of-range values (e.g. `mmr_lambda` outside [0, 1])
 * are errors, never silently ignored.
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
  const merged = deepMerge(fromEnv.partial, partial);
  const result = safeParseRecConfig(merged);
  if (result.success) {
    variantConfigs(result.output); // every variant's override is checked at start-up, naming its path
    return result.output;
  }
  const { path, message } = result.issue;
  const source = fromEnv.sources.get(path) ?? fromEnv.sources.get(path.split(".")[0] ?? "");
  const onlyEnv = source !== undefined && !hasPath(partial, path);
  const variable = onlyEnv ? source : path || "config";
  if (message === "unknown key" && !onlyEnv) {
    const suggestion = nearest(path, SETTING_PATHS);
    throw new ConfigError(variable, suggestion ? `unknown key; did you mean ${suggestion}?` : message);
  }
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

/**
 * Check that every `RECSYS_*` variable of an environment is one somebody reads, so a misspelt setting
 * (`RECSYS_MMR_LAMDA`) stops the start instead of being silently ignored.
 * @param env - the environment
 * @param known - every variable the application reads (settings, stores, service); the settings'
 *   {@link CONFIG_ENV_VARIABLES} are always known
 * @param prefix - which variables are checked (default `RECSYS_`)
 * @throws ConfigError naming the first unknown variable and the nearest known one
 * @example checkEnvironment({ RECSYS_MMR_LAMDA: "0.5" }, []) // throws "RECSYS_MMR_LAMDA: unknown variable; did you mean RECSYS_MMR_LAMBDA?"
 */
export function checkEnvironment(env: Environment, known: Iterable<string>, prefix = "RECSYS_"): void {
  const names = new Set([...CONFIG_ENV_VARIABLES, ...known]);
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(prefix) || names.has(name) || env[name] === undefined) continue;
    const suggestion = nearest(
      name,
      [...names].filter((n) => n.startsWith(prefix)),
    );
    throw new ConfigError(
      name,
      suggestion ? `unknown variable; did you mean ${suggestion}?` : "unknown variable",
    );
  }
}
