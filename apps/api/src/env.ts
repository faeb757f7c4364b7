import type { Environment } from "@recsys/core";
import { readFlag, readInteger, readString } from "@recsys/core/config";
import { ConfigError } from "@recsys/ports";
import type { AppOptions } from "./app.js";
import { PACKAGE_VERSION } from "./version.js";

/** The environment variables {@link appOptionsFromEnv} reads. */
export const SERVICE_ENV_VARIABLES = [
  "HOST",
  "PORT",
  "RECSYS_BASE_PATH",
  "RECSYS_API_KEY",
  "RECSYS_SERVING_REQUIRES_KEY",
  "RECSYS_DEV",
  "RECSYS_MAX_BODY_BYTES",
  "APP_VERSION",
  "RECSYS_CORS_ORIGINS",
  "RECSYS_SHUTDOWN_GRACE_MS",
] as const;

/** Service settings read from the environment. */
export interface ServiceSettings {
  readonly host: string;
  readonly port: number;
  readonly app: AppOptions;
  readonly authSummary: string;
  /** How long in-flight requests may take to finish after SIGTERM/SIGINT before the process exits. */
  readonly shutdownGraceMs: number;
}

/**
 * Read `HOST`, `PORT`, `RECSYS_BASE_PATH`, `RECSYS_API_KEY`, `RECSYS_SERVING_REQUIRES_KEY`, `RECSYS_DEV`,
 * `RECSYS_MAX_BODY_BYTES`, `APP_VERSION` (default: the package's version) and `RECSYS_CORS_ORIGINS` (a
 * comma-separated list of origins allowed to call from a browser; default none) and
 * `RECSYS_SHUTDOWN_GRACE_MS` (how long in-flight requests may finish after a stop signal; default 10 s).
 * The embedded default is
 * dev mode.
 * @param env - the environment
 * @param mode - whether the stores are embedded
 * @throws ConfigError naming the variable
 */
export function appOptionsFromEnv(env: Environment, mode: "embedded" | "real"): ServiceSettings {
  const apiKey = readString(env, "RECSYS_API_KEY", undefined);
  const dev = mode === "embedded" || readFlag(env, "RECSYS_DEV");
  const basePath = readString(env, "RECSYS_BASE_PATH", "/recsys");
  if (!basePath.startsWith("/")) throw new ConfigError("RECSYS_BASE_PATH", "must start with /");
  const servingRequiresKey = readFlag(env, "RECSYS_SERVING_REQUIRES_KEY");
  return {
    host: readString(env, "HOST", "127.0.0.1"),
    port: readInteger(env, "PORT", 8000, 0, 65535),
    app: {
      basePath,
      apiKey,
      servingRequiresKey,
      dev,
      maxBodyBytes: readInteger(env, "RECSYS_MAX_BODY_BYTES", 4 * 1024 * 1024, 1, 1024 * 1024 * 1024),
      version: readString(env, "APP_VERSION", PACKAGE_VERSION),
      corsOrigins: readString(env, "RECSYS_CORS_ORIGINS", "")
        .split(",")
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ""),
    },
    authSummary: apiKey ? "api key" : dev ? "dev mode (no key)" : "fail closed (no key)",
    shutdownGraceMs: readInteger(env, "RECSYS_SHUTDOWN_GRACE_MS", 10_000, 0, 3_600_000),
  };
}
