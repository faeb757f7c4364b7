export { createRedisClient, type RedisClientOptions, waitUntilReady } from "./client.js";
export {
  decodeCompactEvent,
  EVENT_FORMATS,
  type EventFormat,
  encodeCompactEvent,
} from "./compact-event.js";
export {
  REDIS_ENV_VARIABLES,
  type RedisFromEnvOptions,
  type RedisStoresFromEnv,
  redisStoresFromEnv,
} from "./env.js";
export {
  createRedisStores,
  type RedisClient,
  RedisEventBuffer,
  type RedisLogger,
  type RedisStoresOptions,
  RedisUserModelStore,
} from "./redis-stores.js";
