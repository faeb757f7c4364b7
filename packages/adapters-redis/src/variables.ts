/**
 * The environment variables {@link redisStoresFromEnv} reads (a module of its own, so an application can check its
 * environment without loading the driver).
 */
export const REDIS_ENV_VARIABLES = [
  "REDIS_URL",
  "REDIS_CLUSTER",
  "RECSYS_REDIS_PREFIX",
  "RECSYS_REDIS_TIMEOUT_MS",
  "RECSYS_REDIS_FORMAT",
] as const;
