import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const PACKAGE = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--conditions=@recsys/source", "--import", "tsx", "src/server.ts"], {
    cwd: root,
    // The embedded default: whatever stores the test runner's environment names are not for this process.
    env: { ...process.env, REDIS_URL: "", QDRANT_API_URL: "", RECSYS_API_KEY: "", PORT: "0", ...env },
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
  return { child, output: () => out, errors: () => err };
}

describe("the service process", () => {
  it("starts on the embedded default, prints the docs URL, serves, and exits cleanly on SIGTERM", async () => {
    const { child, output } = startProcess({});
    const deadline = Date.now() + 30_000;
    while (!/"msg":"listening"/.test(output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // Every line the service writes is JSON.
    const lines = output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const listening = lines.find((l) => l.msg === "listening")!;
    expect(listening.version).toBe(PACKAGE.version);
    const docs = listening.docs as string;
    expect(docs).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/recsys\/docs$/);
    const url = new URL(docs.replace(/\/recsys\/docs$/, "/recsys/api/ingest"));
    // An ingest whose body is still arriving when SIGTERM lands must complete.
    const body = JSON.stringify({
      event: "CONTENT_VIEW_STARTED",
      userId: "late",
      properties: { content: "content_101" },
    });
    const req = request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": body.length },
    });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    req.end(body.slice(10));
    const answered = await response;
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toMatchObject({ ingested: 1, users: ["late"] });
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(output()).toContain('"msg":"stopped"');
  }, 40_000);

  it("loses no log line: a burst of requests, then SIGTERM at once", async () => {
    const { child, output } = startProcess({});
    const deadline = Date.now() + 30_000;
    while (!/"msg":"listening"/.test(output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const base = (JSON.parse(output().split("\n")[0]!) as { url: string }).url;
    const answers = await Promise.all(
      Array.from({ length: 400 }, (_, i) => fetch(`${base}/recsys/api/recommend?user_id=burst-${i}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    await Promise.all(answers.map((a) => a.text()));
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    const lines = output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === "request" && l.route === "/recsys/api/recommend");
    expect(requests).toHaveLength(400);
    expect(lines.at(-1)!.msg).toBe("stopped");
  }, 40_000);

  it("a taken port or a HOST that is not this machine's: one line naming it, exit 2", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      for (const [env, line] of [
        [
          { PORT: String(port) },
          `recsys: cannot listen on 127.0.0.1:${port}: port ${port} is already in use (PORT)\n`,
        ],
        [
          { HOST: "203.0.113.7" },
          "recsys: cannot listen on 203.0.113.7:0: 203.0.113.7 is not an address of this machine (HOST)\n",
        ],
      ] as const) {
        const { child, errors } = startProcess(env);
        const [code] = await once(child, "exit");
        expect({ code, errors: errors() }).toEqual({ code: 2, errors: line });
      }
    } finally {
      blocker.close();
    }
  }, 40_000);

  it("refuses to start with a clear message for an invalid variable or an unavailable adapter", async () => {
    for (const [env, message] of [
      [{ RECSYS_MMR_LAMBDA: "2" }, "RECSYS_MMR_LAMBDA"],
      [{ PORT: "not-a-port" }, "PORT: expected an integer"],
      [
        { RECSYS_MMR_LAMDA: "0.5" },
        "recsys: cannot start: RECSYS_MMR_LAMDA: unknown variable; did you mean RECSYS_MMR_LAMBDA?\n",
      ],
      [
        { RECSYS_REDIS_PREFX: "site" },
        "recsys: cannot start: RECSYS_REDIS_PREFX: unknown variable; did you mean RECSYS_REDIS_PREFIX?\n",
      ],
    ] as const) {
      const { child, errors } = startProcess(env);
      const [code] = await once(child, "exit");
      expect(code).toBe(2);
      expect(errors()).toContain(message);
    }
  }, 40_000);
});
