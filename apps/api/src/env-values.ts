import { type Environment, parseFlag } from "@recsys/core";
import { ConfigError } from "@recsys/ports";

/**
 * A boolean environment variable: 1/0, true/false, yes/no, on/off; unset or empty is false.
 * @param env - the environment
 * @param name - the variable
 * @throws ConfigError naming the variable for any other value
 */
export function flag(env: Environment, name: string): boolean {
  const raw = env[name];
  return raw === undefined || raw.trim() === "" ? false : parseFlag(name, raw);
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
export function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
