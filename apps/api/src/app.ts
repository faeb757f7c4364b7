import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import { openAPIRouteHandler } from "hono-openapi";
import { type AuthOptions, resolveTenant } from "./auth.js";
import type { Components } from "./components.js";
import { dashboardRoutes } from "./dashboard.js";
import { docsRoutes } from "./docs.js";
import { HttpError, sendError, toHttpError } from "./errors.js";
import { createLogger, type Logger } from "./logger.js";
import { Metrics, timedStore } from "./metrics.js";

export type { Logger } from "./logger.js";

import { newRequestId } from "./request-id.js";
import { ingestRoutes } from "./routes/ingest.js";
import { operatorRoutes } from "./routes/operator.js";
import { opsRoutes } from "./routes/ops.js";
import { policyRoutes } from "./routes/policy.js";
import { recommendRoutes } from "./routes/recommend.js";
import { settingsRoutes } from "./routes/settings.js";
import type { RouteContext } from "./routes/shared.js";
import { tenantRoutes } from "./routes/tenants.js";
import { usermodelRoutes } from "./routes/usermodel.js";
import { TenantDirectory } from "./tenants.js";
import { PACKAGE_VERSION } from "./version.js";

/** Options of {@link makeRouter} and {@link createApp}. */
export interface AppOptions extends AuthOptions {
  /** Mount point of the API (default `/recsys`). */
  readonly basePath?: string;
  /** Largest accepted request body in bytes (default 4 MiB, the RudderStack batch limit). */
  readonly maxBodyBytes?: number;
  /** Deepest accepted JSON nesting of an ingest body (default 64). */
  readonly maxDepth?: number;
  /** Reported by `/health`. */
  readonly version?: string;
  /** Structured logs (default: JSON lines on stdout). */
  readonly logger?: Logger;
  /** Metrics registry (default: a new one). */
  readonly metrics?: Metrics;
  /** The clock (default: the components' clock, `Date.now` unless `buildComponents` was given one). */
  readonly clock?: () => number;
  /** Origins allowed to call the API from a browser (`RECSYS_CORS_ORIGINS`; default none: CORS off). */
  readonly corsOrigins?: readonly string[];
  /**
   * The tenants (docs/behaviour.md §7.7); default: the components given are the one `default` tenant.
   * Their components are the directory's, built as first used; the default tenant's are those given.
   */
  readonly tenants?: TenantDirectory;
}

/** The status logged for a request whose client disconnected (nginx's convention; never sent). */
const CLIENT_CLOSED = 499;

function clientGone(request: Request, error: unknown): boolean {
  if (request.signal?.aborted) return true;
  const code = (error as { code?: unknown })?.code;
  return (
    code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || (error as Error)?.name === "AbortError"
  );
}

/** The methods that have a route at exactly this path (GET implies HEAD). */
function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path !== path) continue;
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
  }
  return [...methods].sort();
}

/** The parts of an OpenAPI document {@link withTenancy} changes. */
interface OpenApiDocument {
  paths?: Record<string, Record<string, { parameters?: unknown[]; responses?: Record<string, unknown> }>>;
}

/**
 * Every `/api` and `/v1` operation runs for one tenant (docs/behaviour.md §7.7): document the optional
 * `X-Tenant-Id` header, and the 404 and 429 answers of tenancy, on each.
 */
function withTenancy(document: OpenApiDocument, base: string): OpenApiDocument {
  const header = {
    name: "X-Tenant-Id",
    in: "header",
    required: false,
    description:
      "The tenant, with the global key or no key (default `default`); ignored with a tenant's key, which pins its own.",
    schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$" },
  };
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    if (!path.startsWith(`${base}/api/`) && !path.startsWith(`${base}/v1/`)) continue;
    for (const operation of Object.values(operations)) {
      operation.parameters = [...(operation.parameters ?? []), header];
      operation.responses = {
        ...operation.responses,
        404: operation.responses?.["404"] ?? {
          description: "Unknown tenant (`tenant_not_found`) or resource",
        },
        429: {
          description:
            "The tenant is over its rate limit (`rate_limited`); retry after `Retry-After` seconds",
          headers: { "Retry-After": { schema: { type: "integer" } } },
        },
      };
    }
  }
  return document;
}

/** The route groups under the base path; adding an endpoint adds one file under `routes/` and one entry. */
const API_ROUTES = [
  ingestRoutes,
  recommendRoutes,
  usermodelRoutes,
  policyRoutes,
  operatorRoutes,
  settingsRoutes,
  tenantRoutes,
] as const;

/** What each app must release when it closes (worker threads of its routes). */
const closers = new WeakMap<Hono, (() => Promise<void>)[]>();

/**
 * Release what the app's routes hold (the ingest worker thread). The stores are the components' to close.
 * @param app - an app made by {@link createApp} or {@link makeRouter}
 */
export async function closeApp(app: Hono): Promise<void> {
  const list = closers.get(app) ?? [];
  closers.delete(app);
  await Promise.all(list.map((release) => release()));
}

function routeContext(
  tenants: TenantDirectory,
  options: AppOptions,
  metrics: Metrics,
  releases: (() => Promise<void>)[] = [],
): RouteContext {
  return {
    onClose: (release) => {
      releases.push(release);
    },
    tenants,
    auth: options,
    metrics,
    log: options.logger ?? createLogger(),
    clock: options.clock ?? tenants.defaultComponents.clock,
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    maxDepth: options.maxDepth ?? 64,
  };
}

/**
 * The recsys routes (docs/behaviour.md, "HTTP API"), to mount under the base path: ingest, recommend,
 * usermodel. Each group is its own module under `routes/`.
 * @param components - stores and orchestrators
 * @param options - auth, limits, clock, metrics
 */
export function makeRouter(components: Components, options: AppOptions = {}): Hono {
  const releases: (() => Promise<void>)[] = [];
  const tenants = options.tenants ?? TenantDirectory.single(components);
  const context = routeContext(tenants, options, options.metrics ?? new Metrics(), releases);
  const router = new Hono();
  closers.set(router, releases);
  // Every API route runs for one tenant: resolved (and rate limited) before the route's guard.
  router.use("/api/*", resolveTenant(tenants, options));
  router.use("/v1/*", resolveTenant(tenants, options));
  for (const routes of API_ROUTES) router.route("/", routes(context));
  return router;
}

/**
 * The whole service: the router under the base path, `/health`, `/ready`, `/metrics`, the OpenAPI
 * document (`{base}/openapi.json`), the docs page (`{base}/docs`), JSON errors and one log line per request.
 * @param components - stores and orchestrators
 * @param options - base path, auth, limits, logger, metrics
 */
export function createApp(components: Components, options: AppOptions = {}): Hono {
  const base = (options.basePath ?? "/recsys").replace(/\/+$/, "");
  const metrics = options.metrics ?? new Metrics();
  const tenants = options.tenants ?? TenantDirectory.single(components);
  // Every store call is timed into recsys_store_call_duration_seconds (the stores are wrapped in place),
  // every tenant's as it is built.
  const timed = (built: Components) => {
    timedStore(built.contentStore, "content", metrics, ["query", "get", "getVectors", "dimension", "ping"]);
    timedStore(built.eventBuffer, "events", metrics, ["append", "fetchEvents", "version", "ping"]);
    timedStore(built.modelStore, "models", metrics, ["getSignals", "saveSignals", "ping"]);
  };
  timed(components);
  tenants.observe(timed);
  const log: Logger = options.logger ?? createLogger();
  const app = new Hono();

  // Every answer carries X-Request-Id: the caller's (letters, digits, -, _, =; at most 128), else a new one.
  app.use("*", requestId({ headerName: "X-Request-Id", limitLength: 128, generator: newRequestId }));
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.use(
      "*",
      cors({
        origin: [...options.corsOrigins],
        allowHeaders: [
          "Content-Type",
          "Content-Encoding",
          "Authorization",
          "X-API-Key",
          "X-Request-Id",
          "X-Tenant-Id",
        ],
        allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        exposeHeaders: ["X-Request-Id"],
        maxAge: 600,
      }),
    );
  }

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    let route = "unmatched";
    try {
      const path = routePath(c, -1);
      route = path && path !== "/*" && path !== "*" ? path : "unmatched";
    } catch {
      // no route matched
    }
    metrics.observeRequest(route, c.req.method, c.res.status, seconds);
    log({
      ts: new Date().toISOString(),
      level: c.res.status >= 500 ? "error" : "info",
      msg: "request",
      method: c.req.method,
      route,
      status: c.res.status,
      request_id: c.get("requestId"),
      duration_ms: Math.round(seconds * 1e5) / 100,
    });
  });

  app.onError((error, c) => {
    if (clientGone(c.req.raw, error)) {
      // The client went away mid-request: nobody reads an answer; log it as what it is, never as a 500.
      log({ ts: new Date().toISOString(), level: "info", msg: "client disconnected", path: c.req.path });
      return c.body(null, CLIENT_CLOSED as 200);
    }
    const mapped = toHttpError(error);
    if (mapped.status >= 500) {
      log({
        ts: new Date().toISOString(),
        level: "error",
        msg: mapped.code === "internal_error" ? "unhandled error" : mapped.message,
        error: String(error),
      });
    }
    return sendError(c, mapped);
  });
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = allowedMethods(app, path);
    if (allowed.length > 0) {
      return sendError(
        c,
        new HttpError(405, "method_not_allowed", `${c.req.method} is not allowed on ${path}`, {
          allow: allowed,
        }),
        { allow: allowed.join(", ") },
      );
    }
    return sendError(c, new HttpError(404, "not_found", `no route for ${c.req.method} ${path}`));
  });

  const version = options.version ?? PACKAGE_VERSION;
  app.route("/", opsRoutes(routeContext(tenants, { ...options, logger: log }, metrics), version));
  const router = makeRouter(components, { ...options, tenants, metrics, logger: log });
  closers.set(app, closers.get(router) ?? []);
  app.route(base, router);
  const openApiDocument = openAPIRouteHandler(app, {
    documentation: {
      openapi: "3.1.0",
      info: {
        title: "recsys API",
        version,
        description: "Ingest RudderStack events, serve explainable, diversity-aware recommendations.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
          bearer: { type: "http", scheme: "bearer" },
          basic: {
            type: "http",
            scheme: "basic",
            description: "The key as user name, empty password (RudderStack SDKs)",
          },
        },
      },
    },
    exclude: [
      `${base}/openapi.json`,
      `${base}/docs`,
      `${base}/docs/assets/init.js`,
      `${base}/docs/assets/:file`,
      "/metrics",
      "/favicon.ico",
    ],
    defaultValidationErrorResponse: false,
  });
  app.get(`${base}/openapi.json`, async (c, next) => {
    const document = (await (await openApiDocument(c, next))!.json()) as OpenApiDocument;
    return c.json(withTenancy(document, base));
  });
  app.route("/", docsRoutes(`${base}/openapi.json`, `${base}/docs`));
  app.route("/", dashboardRoutes(`${base}/dashboard`));
  return app;
}
