import { StoreUnavailableError } from "@recsys/ports";
import type { ChainableCommander } from "ioredis";
import { waitUntilReady } from "./client.js";
import { checkExec, guarded, isCluster, type RedisClient } from "./redis-stores.js";

/**
 * An optimistic change of one key: `WATCH` it, let `step` read it and decide, write in one MULTI/EXEC, and
 * again when another client changed the key meanwhile. `step` may throw to refuse (nothing is written).
 * The WATCH runs on a connection of its own (a shared client's other commands would clear it).
 * @param client - the shared client
 * @param key - the watched key
 * @param operation - names the operation in errors
 * @param step - reads through the connection; returns the writes and the result
 */
export async function optimisticChange<T>(
  client: RedisClient,
  key: string,
  operation: string,
  step: (connection: RedisClient) => Promise<{ write: (multi: ChainableCommander) => void; result: T }>,
): Promise<T> {
  const connection = isCluster(client) ? client : client.duplicate();
  try {
    if (connection !== client && !(await waitUntilReady(connection, 5000)))
      throw new StoreUnavailableError("redis", `${operation}: cannot connect`);
    for (let attempt = 0; attempt < 20; attempt++) {
      await guarded(operation, () => connection.watch(key));
      let decided: { write: (multi: ChainableCommander) => void; result: T };
      try {
        decided = await step(connection);
      } catch (error) {
        await connection.unwatch().catch(() => {});
        throw error;
      }
      const multi = connection.multi();
      decided.write(multi);
      const results = await guarded(operation, () => multi.exec());
      if (results === null) continue; // another client changed it: read again
      checkExec(results, operation);
      return decided.result;
    }
    throw new Error(`${operation}: too many concurrent changes`);
  } finally {
    if (connection !== client) connection.disconnect();
  }
}
