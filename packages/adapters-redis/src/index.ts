export { RedisActivityStore, type RedisActivityStoreOptions } from "./activity.js";
export { createRedisClient, type RedisClientOptions, waitUntilReady } from "./client.js";
export { decodeCompactEvent, encodeCompactEvent } from "./compact-event.js";
export {
  decodeCompactModel,
  encodeCompactModel,
  FLOAT16_VECTOR_ERROR,
  isCompactModel,
  type VectorPrecision,
} from "./compact-model.js";
export {
  REDIS_ENV_VARIABLES,
  type RedisFromEnvOptions,
  type RedisStoresFromEnv,
  redisStoresFromEnv,
} from "./env.js";
export {
  RedisFeedbackStore,
  type RedisFeedbackStoreOptions,
  RedisServedLog,
  type RedisServedLogOptions,
} from "./feedback.js";
export { REDIS_FORMATS, type RedisFormat } from "./format.js";
export {
  createRedisStores,
  type RedisClient,
  RedisEventBuffer,
  type RedisLogger,
  type RedisStoresOptions,
  RedisUserModelStore,
} from "./redis-stores.js";
export { RedisSettingsStore, type RedisSettingsStoreOptions } from "./settings.js";
export { RedisTenantStore, type RedisTenantStoreOptions } from "./tenants.js";
