export { createRedisClient, type RedisClientOptions, waitUntilReady } from "./client.js";
export {
  createRedisStores,
  type RedisClient,
  RedisEventBuffer,
  type RedisLogger,
  type RedisStoresOptions,
  RedisUserModelStore,
} from "./redis-stores.js";
