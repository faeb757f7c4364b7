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

function run(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(root, file), ...args], {
    env: { ...process.env, REDIS_URL: "", QDRANT_API_URL: "", RECSYS_API_KEY: "", ...env },
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

describe("the built service (node apps/api/dist/server.js)", () => {
  it("starts healthy with its version, finishes in-flight requests on SIGTERM, exits 0", async () => {
    const service = run("apps/api/dist/server.js", [], { PORT: "0" });
    const deadline = Date.now() + 20_000;
    while (!/"msg":"listening"/.test(service.out()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
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
