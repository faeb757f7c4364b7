import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A `redis-server` process started for tests on a free loopback port. */
export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Kill the process abruptly (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Start it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stop it and remove its data directory. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisOptions {
  /** Persist every write before acknowledging it (`appendonly yes`, `appendfsync always`), so a killed server loses nothing. */
  readonly durable?: boolean;
  /** Extra `redis-server` arguments. */
  readonly args?: readonly string[];
}

/** A free TCP port on 127.0.0.1 (never a fixed one: other processes share the machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let data = "";
    socket.setTimeout(500);
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      data += chunk;
      if (data.includes("\r\n")) {
        socket.destroy();
        resolve(data.startsWith("+PONG"));
      }
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Start `redis-server` (the Debian package, or `REDIS_SERVER_BIN`) on a free loopback port.
 * @param options - durability and extra arguments
 * @throws when the binary is missing or the server does not answer within 10 s
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<TestRedisServer> {
  const binary = process.env.REDIS_SERVER_BIN || "redis-server";
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "recsys-redis-"));
  const persistence = options.durable
    ? ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
    : ["--appendonly", "no", "--save", ""];
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    ...persistence,
    ...(options.args ?? []),
  ];
  let child: ChildProcess | null = null;

  const launch = async () => {
    const proc = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (d) => {
      stderr += d;
    });
    const failed = new Promise<never>((_, reject) => {
      proc.once("error", (error) =>
        reject(new Error(`cannot start ${binary}: ${error.message}; install the redis-server package`)),
      );
    });
    child = proc;
    const deadline = Date.now() + 10_000;
    const ready = (async () => {
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`${binary} exited with ${proc.exitCode}: ${stderr}`);
        if (await answersPing(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${binary} did not answer on port ${port} within 10 s`);
    })();
    await Promise.race([ready, failed]);
  };

  const terminate = async (signal: NodeJS.Signals) => {
    const proc = child as ChildProcess | null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, "exit");
    proc.kill(signal);
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => terminate("SIGKILL"),
    restart: launch,
    stop: async () => {
      await terminate("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
