import { ConfigError } from "@recsys/ports";
import { type Environment, parseFlag } from "./config.js";

/**
 * A boolean environment variable: 1/0, true/false, yes/no, on/off; unset or empty is `fallback`.
 * @param env - the environment
 * @param name - the variable
 * @param fallback - the value when unset (default false)
 * @throws ConfigError naming the variable for any other value
 */
export function readFlag(env: Environment, name: string, fallback = false): boolean {
  const raw = env[name];
  return raw === undefined || raw.trim() === "" ? fallback : parseFlag(name, raw);
}

/**
 * An integer environment variable within bounds; unset or empty gives the fallback.
 * @param env - the environment
 * @param name - the variable
 * @param fallback - default value
 * @param min - smallest allowed
 * @param max - largest allowed
 * @throws ConfigError naming the variable
 */
export function readInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * A text environment variable, trimmed; unset or blank gives the fallback.
 * @param env - the environment
 * @param name - the variable
 * @param fallback - default value
 */
export function readString<T extends string | undefined>(
  env: Environment,
  name: string,
  fallback: T,
): string | T {
  const raw = env[name]?.trim();
  return raw ? raw : fallback;
}
