import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startRedisServer, type TestRedisServer } from "./redis-server.js";

const run = promisify(execFile);

/** A Redis Cluster of `redis-server` processes started for tests. */
export interface TestRedisCluster {
  /** Comma-separated seed node URLs. */
  readonly urls: string;
  readonly nodes: readonly TestRedisServer[];
  stop(): Promise<void>;
}

/**
 * Start a Redis Cluster of `masters` nodes (no replicas) on free loopback ports and wait until every slot
 * is served.
 * @param masters - number of master nodes (at least 3)
 */
export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  const nodes: TestRedisServer[] = [];
  for (let i = 0; i < masters; i++) {
    nodes.push(
      await startRedisServer({
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `nodes-${i}.conf`,
          "--cluster-node-timeout",
          "2000",
        ],
      }),
    );
  }
  const cli = process.env.RECSYS_TEST_REDIS_CLI || "redis-cli";
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run(cli, ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"]);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const states = await Promise.all(
      nodes.map((n) => run(cli, ["-p", String(n.port), "cluster", "info"]).then((r) => r.stdout)),
    );
    if (states.every((s) => s.includes("cluster_state:ok"))) break;
    if (Date.now() > deadline) throw new Error("the test cluster did not reach cluster_state:ok");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    urls: nodes.map((n) => n.url).join(","),
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
