import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { checkEnvironment } from "@recsys/core";
import { ConfigError } from "@recsys/ports";
import { closeApp, createApp } from "./app.js";
import { STORE_ENV_VARIABLES } from "./components.js";
import { appOptionsFromEnv, SERVICE_ENV_VARIABLES } from "./env.js";
import { createLogger } from "./logger.js";
import { buildService, type Service } from "./service.js";
import { TENANT_ENV_VARIABLES } from "./tenants.js";

// One pino logger for the process: request lines and lifecycle lines, every line JSON.
const log = createLogger();

async function main(): Promise<void> {
  let service: Service;
  let options: ReturnType<typeof appOptionsFromEnv>;
  try {
    checkEnvironment(process.env, [
      ...STORE_ENV_VARIABLES,
      ...SERVICE_ENV_VARIABLES,
      ...TENANT_ENV_VARIABLES,
    ]);
    service = await buildService(process.env, { log });
    options = appOptionsFromEnv(process.env, service.components.mode);
  } catch (error) {
    const message = ConfigError.isInstance(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`recsys: cannot start: ${message}\n`);
    process.exit(2);
  }
  const { components, tenants } = service;
  const app = createApp(components, { ...options.app, logger: log, tenants });
  const server = serve(
    { fetch: app.fetch, hostname: options.host, port: options.port },
    (info: AddressInfo) => {
      const base = `http://${info.address.includes(":") ? `[${info.address}]` : info.address}:${info.port}`;
      log({
        level: "info",
        msg: "listening",
        url: base,
        docs: `${base}${options.app.basePath ?? "/recsys"}/docs`,
        version: options.app.version,
        stores: components.description,
        tenants: tenants.tenants().length,
        auth: options.authSummary,
      });
      if (components.settingsError)
        log({
          level: "warn",
          msg: "the stored runtime settings cannot be applied; the start-up settings are in use (PUT or reset /api/config)",
          problem: components.settingsError,
        });
    },
  );
  // A taken port or an address this machine does not have: one line naming it, exit 2.
  server.on("error", (error: NodeJS.ErrnoException) => {
    const where = `${options.host}:${options.port}`;
    const why =
      error.code === "EADDRINUSE"
        ? `port ${options.port} is already in use (PORT)`
        : error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND" || error.code === "EAI_AGAIN"
          ? `${options.host} is not an address of this machine (HOST)`
          : error.code === "EACCES"
            ? `no permission to listen on port ${options.port} (PORT)`
            : error.message;
    process.stderr.write(`recsys: cannot listen on ${where}: ${why}\n`);
    process.exit(2);
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ level: "info", msg: "shutting down", signal });
    const force = setTimeout(() => {
      log({
        level: "warn",
        msg: `forced exit after ${options.shutdownGraceMs} ms (RECSYS_SHUTDOWN_GRACE_MS)`,
      });
      log.flush();
      process.exit(1);
    }, options.shutdownGraceMs);
    force.unref();
    // Stop accepting; in-flight requests finish; keep-alive connections are closed as they go idle.
    const http = server as unknown as { closeIdleConnections?: () => void };
    const reaper = setInterval(() => http.closeIdleConnections?.(), 50);
    server.close(async () => {
      clearInterval(reaper);
      await closeApp(app);
      await service.close();
      log({ level: "info", msg: "stopped" });
      log.flush();
      process.exit(0);
    });
    http.closeIdleConnections?.();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

await main();
