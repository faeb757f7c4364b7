// Start-up benchmark: the built service from `node dist/server.js` to a healthy /health, and the built CLI's
// `--help`, each beside a bare node baseline measured in the same run (alternating, 7 rounds, medians).
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..", "..");
const ROUNDS = 7;

/** Milliseconds from spawning `args` until `url(out)` answers 200 on /health (or the bare server's /). */
async function untilHealthy(args: string[], path: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, PORT: "0", REDIS_URL: "", QDRANT_API_URL: "" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  try {
    for (;;) {
      const url = /"url":"([^"]+)"/.exec(out)?.[1];
      if (url) {
        try {
          const res = await fetch(`${url}${path}`);
          if (res.ok) return performance.now() - started;
        } catch {
          // not yet
        }
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill("SIGKILL");
  }
}

const bare = [
  "--input-type=module",
  "-e",
  `import http from "node:http"; const s = http.createServer((q, r) => r.end("ok")).listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: "http://127.0.0.1:" + s.address().port })));`,
];
const timed = (args: string[]) => {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return performance.now() - started;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: Record<string, number[]> = {
  "bare node HTTP server, start to first answer (baseline)": [],
  "built service, start to healthy /health": [],
  "bare node -e '' (baseline)": [],
  "built CLI, recsys --help": [],
};
for (let i = 0; i < ROUNDS; i++) {
  rows["bare node HTTP server, start to first answer (baseline)"]!.push(await untilHealthy(bare, "/"));
  rows["built service, start to healthy /health"]!.push(
    await untilHealthy([join(root, "apps/api/dist/server.js")], "/health"),
  );
  rows["bare node -e '' (baseline)"]!.push(timed(["-e", ""]));
  rows["built CLI, recsys --help"]!.push(timed([join(root, "apps/cli/dist/main.js"), "--help"]));
}
console.table(
  Object.entries(rows).map(([task, xs]) => ({
    task,
    "median ms": median(xs).toFixed(0),
    "min ms": Math.min(...xs).toFixed(0),
  })),
);
