// The benchmark's server process (bench/target.ts) started with an environment of its own; it prints its
// two ports on its first line.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type autocannon from "autocannon";

/**
 * Start bench/target.ts in a child process.
 * @param env - extra environment (stores, settings)
 */
export async function startTarget(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ["--expose-gc", "--conditions=@recsys/source", "--import", "tsx", "bench/target.ts"],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [first] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  return {
    child,
    ports: JSON.parse(first) as {
      recsysPort: number;
      barePort: number;
      loadMs: number;
      rssMb: number;
      stores: string;
      /** How many warm users bench-warm-0 … were seeded. */
      warmUsers: number;
    },
  };
}

/** How many warm users the load and scaling benchmarks seed (more than either asks for in a run). */
export const WARM_USERS = "20000";

/** The next seeded warm user to ask for (shared by every row, so no row asks for a user twice). */
let next = 0;

/**
 * Requests for the seeded warm users bench-warm-0 … in turn, never the same user twice while the seeded
 * ones last (the target seeds more than a benchmark asks for): what the embedded store keeps from one
 * user's request (the answers of its vector and tag queries) never serves another request.
 */
export function warmUsersInTurn(base: string, users: number): autocannon.Options {
  return {
    url: `${base}/recommend?user_id=bench-warm-0`,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/recsys/api/recommend?user_id=bench-warm-${next++ % users}`,
        }),
      },
    ],
  };
}
