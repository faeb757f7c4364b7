import type { Environment } from "@recsys/core";
import { ConfigError } from "@recsys/ports";
import type { AppOptions } from "./app.js";
import { flag, integer } from "./env-values.js";

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
