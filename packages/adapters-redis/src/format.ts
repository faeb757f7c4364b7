/**
 * How the Redis stores write: `compact` (the default) keeps buffered events as short arrays and models as
 * a binary value with float16 vectors; `reference` writes the reference service's JSON, for deployments
 * that share Redis with the Python service. Both forms are always read, so a Redis may hold a mix and
 * migrates as users return.
 */
export type RedisFormat = "compact" | "reference";

/** The formats, for validation. */
export const REDIS_FORMATS: readonly RedisFormat[] = ["compact", "reference"];
