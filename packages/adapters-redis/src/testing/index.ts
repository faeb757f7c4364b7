export { startRedisCluster, type TestRedisCluster } from "./redis-cluster.js";
export { freePort, type StartRedisOptions, startRedisServer, type TestRedisServer } from "./redis-server.js";
