// What a deployment runs: the built JavaScript of the service and the CLI, started by node directly.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const version = (dir: string) =>
  (JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { version: string }).version;

/**
 * Start `node file args` with its output captured. `file` is relative to `cwd` (default the repository);
 * the environment is the test's own with the stores unset, or exactly `bareEnv` when given.
 */
function run(
  file: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; bareEnv?: Record<string, string> } = {},
) {
  const cwd = options.cwd ?? root;
  const env = options.bareEnv ?? {
    ...process.env,
    REDIS_URL: "",
    QDRANT_API_URL: "",
    RECSYS_API_KEY: "",
    ...options.env,
  };
  const child = spawn(process.execPath, [join(cwd, file), ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  return { child, out: () => out, err: () => err };
}

/** Wait (up to 20 s) until a process's output matches `pattern`; the match, or null. */
async function waitForOutput(proc: { out: () => string }, pattern: RegExp): Promise<RegExpExecArray | null> {
  const deadline = Date.now() + 20_000;
  while (!pattern.test(proc.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return pattern.exec(proc.out());
}

describe("the built service (node apps/api/dist/server.js)", () => {
  it("starts healthy with its version, finishes in-flight requests on SIGTERM, exits 0", async () => {
    const service = run("apps/api/dist/server.js", [], { env: { PORT: "0" } });
    await waitForOutput(service, /"msg":"listening"/);
    const listening = service
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; url?: string })
      .find((l) => l.msg === "listening")!;
    const health = await fetch(`${listening.url}/health`);
    expect(await health.json()).toEqual({ status: "ok", version: version("apps/api") });
    // Three ingests whose bodies are still arriving when the signal lands: every one is answered.
    const body = (user: string) =>
      JSON.stringify({ event: "CONTENT_VIEW_STARTED", userId: user, properties: { content: "content_101" } });
    const answers = ["a", "b", "c"].map((user) => {
      const payload = body(user);
      const req = request(`${listening.url}/recsys/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": payload.length },
      });
      const answered = new Promise<number>((resolve, reject) => {
        req.on("response", (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
      });
      req.write(payload.slice(0, 5));
      return { req, payload, answered };
    });
    await new Promise((r) => setTimeout(r, 200));
    service.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    for (const a of answers) a.req.end(a.payload.slice(5));
    expect(await Promise.all(answers.map((a) => a.answered))).toEqual([200, 200, 200]);
    const [code] = await once(service.child, "exit");
    expect(code).toBe(0);
    expect(service.out()).toContain('"msg":"stopped"');
    for (const line of service.out().trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  }, 30_000);
});

describe("the built CLI (node apps/cli/dist/main.js)", () => {
  it("--version and --help", async () => {
    const v = run("apps/cli/dist/main.js", ["--version"]);
    const [code] = await once(v.child, "exit");
    expect({ code, out: v.out() }).toEqual({ code: 0, out: `recsys ${version("apps/cli")}\n` });
    const h = run("apps/cli/dist/main.js", ["--help"]);
    await once(h.child, "exit");
    expect(h.out()).toContain("Commands:");
  });
});

describe("what the image copies: pnpm deploy --prod, moved outside the workspace", () => {
  it("the service starts and serves with production dependencies only; so does the CLI", async () => {
    const { mkdtempSync, cpSync, rmSync, existsSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { execFileSync } = await import("node:child_process");
    const scratch = mkdtempSync(join(tmpdir(), "recsys-deploy-"));
    try {
      for (const [pkg, dir] of [
        ["@recsys/api", "api"],
        ["@recsys/cli", "cli"],
      ] as const) {
        execFileSync("pnpm", ["--filter", pkg, "deploy", "--prod", "--legacy", join(scratch, "out", dir)], {
          cwd: root,
          stdio: "ignore",
        });
        // Moved away from the workspace, as COPY --from=build puts it in the image.
        cpSync(join(scratch, "out", dir), join(scratch, dir), { recursive: true, verbatimSymlinks: true });
      }
      rmSync(join(scratch, "out"), { recursive: true, force: true });
      // Production dependencies only: no test runner, no TypeScript, no bundler.
      for (const dev of ["vitest", "typescript", "tsup"]) {
        expect(existsSync(join(scratch, "api", "node_modules", dev))).toBe(false);
      }
      const service = run("dist/server.js", [], {
        cwd: join(scratch, "api"),
        bareEnv: { PATH: process.env.PATH ?? "", PORT: "0" },
      });
      try {
        const url = (await waitForOutput(service, /"url":"([^"]+)"/))![1]!;
        expect((await fetch(`${url}/health`)).status).toBe(200);
        const rec = (await (await fetch(`${url}/recsys/api/recommend?user_id=someone`)).json()) as {
          result: { strategy: string; items: unknown[] };
        };
        expect(rec.result.strategy).toBe("cold");
        expect(rec.result.items.length).toBeGreaterThan(0);
      } finally {
        service.child.kill("SIGTERM");
        await once(service.child, "exit");
      }
      const cli = run("dist/main.js", ["--version"], { cwd: join(scratch, "cli") });
      await once(cli.child, "exit");
      const version = cli.out();
      expect(version).toMatch(/^recsys \d+\.\d+\.\d+\n$/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
