import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { startRedisServer, type TestRedisServer } from "@recsys/adapters-redis/testing";
import { resolveConfig } from "@recsys/core";
import { createEmbeddedStores } from "@recsys/fakes";
import type { RecConfigInput } from "@recsys/ports";
import { type AppOptions, createApp } from "../src/app.js";
import { assemble, buildComponents, type Components } from "../src/components.js";

/** Embedded components over the BB fixtures with the reference's deterministic sampling. */
export function embeddedComponents(partial: RecConfigInput = {}): Components {
  const cfg = resolveConfig(partial);
  const stores = createEmbeddedStores({ sampling: "ascending" });
  return assemble(cfg, stores, "embedded", "test", async () => {});
}

/** A running server on a free loopback port. */
export interface Running {
  readonly url: string;
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Serve the app over a real socket on 127.0.0.1 and a free port.
 * @param components - the components
 * @param options - app options (logs are captured)
 */
export async function startServer(components: Components, options: AppOptions = {}): Promise<Running> {
  const logs: Record<string, unknown>[] = [];
  const app = createApp(components, { dev: true, logger: (e) => logs.push(e), ...options });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        logs,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
  });
}

/** Every JSON answer `get` and `post` received in this test file (for checking against the OpenAPI document). */
export const answers: { method: string; url: string; status: number; body: unknown }[] = [];

/** POST JSON (or raw text) and parse the JSON answer. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown> & { result?: unknown };
  answers.push({ method: "POST", url, status: res.status, body: json });
  return { status: res.status, headers: res.headers, json };
}

/** GET and parse the JSON answer. */
export async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
    answers.push({ method: "GET", url, status: res.status, body: json });
  } catch {
    json = null;
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: json as Record<string, unknown> & { result?: never },
  };
}

/**
 * Send a request with node:http and read the answer even when the server answers early and closes the
 * connection while the body is still being sent (as it does for an oversized body).
 */
export function rawRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(url, { method: init.method, headers: init.headers ?? {} }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        try {
          answers.push({ method: init.method, url, status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          // not JSON: nothing to check
        }
        resolve({ status: res.statusCode ?? 0, text, headers: res.headers });
      });
      res.on("error", reject);
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    // The server may close the socket while the body is still being written: ignore that late EPIPE.
    req.on("socket", (socket) => {
      socket.on("error", () => {});
    });
    req.end(init.body);
  });
}

/** A service on its own real redis-server (a free loopback port), for tests. */
export interface RedisService {
  readonly redis: TestRedisServer;
  readonly components: Components;
  readonly server: Running;
  /** Close the server and the stores, then stop Redis. */
  close(): Promise<void>;
}

/**
 * Start a redis-server, build the components on it (the given `RECSYS_*` variables, a generous command
 * timeout unless one is given) and serve them.
 * @param env - extra environment, e.g. `RECSYS_REDIS_PREFIX`
 * @param options - app options (clock, key, dev mode)
 * @param clock - the components' clock (default: the app's clock when given)
 */
export async function startRedisService(
  env: Record<string, string>,
  options: AppOptions = { dev: true },
): Promise<RedisService> {
  const redis = await startRedisServer();
  const components = await buildComponents(
    {},
    { REDIS_URL: redis.url, RECSYS_REDIS_TIMEOUT_MS: "30000", ...env },
    options.clock ? { clock: options.clock } : {},
  );
  const server = await startServer(components, options);
  return {
    redis,
    components,
    server,
    close: async () => {
      await server.close();
      await components.close();
      await redis.stop();
    },
  };
}

/** A service process (the real entry point) on a shared Redis. */
export function startProcess(env: Record<string, string>) {
  const root = join(import.meta.dirname, "..");
  const child = spawn(process.execPath, ["--conditions=@recsys/source", "--import", "tsx", "src/server.ts"], {
    cwd: root,
    env: { ...process.env, QDRANT_API_URL: "", RECSYS_API_KEY: "", RECSYS_DEV: "1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const url = (async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const match = /"docs":"(http:\/\/[^"]+)\/docs"/.exec(out);
      if (match) return match[1]!;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the service did not start: ${out}`);
  })();
  return { child, url };
}
