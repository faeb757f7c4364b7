// The benchmark's server process (bench/target.ts) started with an environment of its own; it prints its
// two ports on its first line.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

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
    },
  };
}
