/**
 * The environment variables {@link qdrantContentStoreFromEnv} reads (a module of its own, so an application can check its
 * environment without loading the driver).
 */
export const QDRANT_ENV_VARIABLES = [
  "QDRANT_API_URL",
  "QDRANT_API_KEY",
  "QDRANT_COLLECTION",
  "RECSYS_QDRANT_TIMEOUT_MS",
] as const;
