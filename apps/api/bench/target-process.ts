// The benchmark's server process (bench/target.ts) started with an environment of its own; it prints its
// two ports on its first line.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { rudderstackViews } from "@recsys/fakes";
import autocannon from "autocannon";

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
  // The first line that names the ports (with BENCH_LOG the service's own log lines come before it; the
  // interface keeps reading, so stdout never fills).
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.includes('"recsysPort"')) resolve(line);
    });
    child.on("exit", (code) => reject(new Error(`the benchmark target exited (${code})`)));
  });
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
export const WARM_USERS = "30000";

/**
 * Ingest bodies (200 users each) that make bench-warm-0 … bench-warm-(users − 1) warm users: a deep read
 * (120 s, next button) of each of `itemsOf(user)`, ten minutes apart before `now`.
 * @param users - how many users
 * @param itemsOf - the items a user read
 * @param now - the clock
 */
export async function* warmUserBodies(
  users: number,
  itemsOf: (user: number) => Promise<readonly string[]> | readonly string[],
  now: number,
): AsyncGenerator<string> {
  for (let first = 0; first < users; first += 200) {
    const batch: unknown[] = [];
    for (let user = first; user < Math.min(first + 200, users); user++)
      (await itemsOf(user)).forEach((item, i) => {
        batch.push(
          ...rudderstackViews(`bench-warm-${user}`, item, 120, "next_button", now - (i + 1) * 600_000),
        );
      });
    yield JSON.stringify(batch);
  }
}

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
    requests: [{ setupRequest: (req) => ({ ...req, path: warmUserPath(users) }) }],
  };
}

/**
 * The path of the next seeded warm user's recommend request (the same turn as {@link warmUsersInTurn}).
 * @param users - how many were seeded
 */
export function warmUserPath(users: number): string {
  return `/recsys/api/recommend?user_id=bench-warm-${next++ % users}`;
}

/**
 * The benchmark target's CPU time so far (user + system, µs, every thread), from its `/cpu` route on the
 * bare port: read before and after a row, it gives the server's CPU per request, which a shared, busy
 * machine disturbs far less than throughput.
 * @param barePort - the target's bare port
 */
export async function serverCpu(barePort: number): Promise<number> {
  const { user, system } = (await (await fetch(`http://127.0.0.1:${barePort}/cpu`)).json()) as {
    user: number;
    system: number;
  };
  return user + system;
}

/** A kind of request sent before the rows until V8 has optimised what it runs, and its cost meanwhile. */
/**
 * Run a load against the target and measure the server's CPU time per request over it (read from the
 * target before and after, see {@link serverCpu}).
 * @param barePort - the target's bare port
 * @param run - the load
 * @param requests - how many requests the load's result counts
 */
export async function withServerCpu<R>(
  barePort: number,
  run: () => Promise<R>,
  requests: (result: R) => number,
): Promise<{ result: R; cpuPerRequest: number }> {
  const before = await serverCpu(barePort);
  const result = await run();
  return { result, cpuPerRequest: ((await serverCpu(barePort)) - before) / Math.max(1, requests(result)) };
}

/** The requests an autocannon run made (for {@link withServerCpu}). */
export const autocannonRequests = (result: autocannon.Result): number => result.requests.total;

export interface Settling {
  readonly label: string;
  readonly seconds: number;
  readonly options: autocannon.Options;
}

/**
 * Send each kind of request the rows will send, for a few seconds each, before any row: V8 goes on
 * compiling and re-optimising the recommend and ingest code for thousands of requests (in process, users in
 * turn cost 990–1,080 µs of CPU a request over requests 200–2,200 and 370–380 µs over 8,000–10,000; an
 * ingest body 2,370 µs over bodies 100–400 and 1,370 µs over 1,500–1,800), so without this the rows
 * measured the compiler as much as the service. Returns the server's CPU per request while settling, to
 * print beside the rows.
 * @param connections - connections to send each kind on
 * @param kinds - the kinds of request, each with its seconds
 * @param barePort - the target's bare port (its CPU time)
 */
export async function settle(
  connections: number,
  kinds: readonly Settling[],
  barePort: number,
): Promise<Record<string, number>> {
  const cpu: Record<string, number> = {};
  for (const kind of kinds) {
    const run = () => autocannon({ connections, duration: kind.seconds, ...kind.options });
    cpu[kind.label] = (await withServerCpu(barePort, run, autocannonRequests)).cpuPerRequest;
  }
  return cpu;
}
