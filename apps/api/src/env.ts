import type { Environment } from "@recsys/core";
import { ConfigError } from "@recsys/ports";
import type { AppOptions } from "./app.js";

function flag(env: Environment, name: string): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === "") return false;
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new ConfigError(name, `expected 1/0, true/false or yes/no, got ${JSON.stringify(env[name])}`);
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Service settings read from the environment (design §5). */
export interface ServiceSettings {
  readonly host: string;
  readonly port: number;
  readonly app: AppOptions;
  readonly authSummary: string;
}

/**
 * Read `HOST`, `PORT`, `RECSYS_BASE_PATH`, `RECSYS_API_KEY`, `RECSYS_SERVING_REQUIRES_KEY`, `RECSYS_DEV`,
 * `RECSYS_MAX_BODY_BYTES` and `APP_VERSION`. The embedded default is dev mode.
 * @param env - the environment
 * @param mode - whether the stores are embedded
 * @throws ConfigError naming the variable
 */
export function appOptionsFromEnv(env: Environment, mode: "embedded" | "real"): ServiceSettings {
  const apiKey = env.RECSYS_API_KEY?.trim() || undefined;
  const dev = mode === "embedded" || flag(env, "RECSYS_DEV");
  const basePath = env.RECSYS_BASE_PATH?.trim() || "/recsys";
  if (!basePath.startsWith("/")) throw new ConfigError("RECSYS_BASE_PATH", "must start with /");
  const servingRequiresKey = flag(env, "RECSYS_SERVING_REQUIRES_KEY");
  return {
    host: env.HOST?.trim() || "127.0.0.1",
    port: integer(env, "PORT", 8000, 0, 65535),
    app: {
      basePath,
      apiKey,
      servingRequiresKey,
      dev,
      maxBodyBytes: integer(env, "RECSYS_MAX_BODY_BYTES", 4 * 1024 * 1024, 1, 1024 * 1024 * 1024),
      version: env.APP_VERSION?.trim() || "unknown",
    },
    authSummary: apiKey ? "api key" : dev ? "dev mode (no key)" : "fail closed (no key)",
  };
}
