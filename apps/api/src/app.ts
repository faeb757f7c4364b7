import { randomUUID } from "node:crypto";
import { normalizeEvents, toRecommendationItems } from "@recsys/core";
import { StoreUnavailableError } from "@recsys/ports";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { routePath } from "hono/route";
import { describeRoute, openAPIRouteHandler, resolver, validator } from "hono-openapi";
import type { AuthOptions } from "./auth.js";
import { guard } from "./auth.js";
import type { Components } from "./components.js";
import { docsPage } from "./docs.js";
import { HttpError, sendError, toHttpError } from "./errors.js";
import { Metrics } from "./metrics.js";
import {
  ErrorSchema,
  HealthSchema,
  IngestBodySchema,
  IngestResponseSchema,
  ReadySchema,
  RecommendQuerySchema,
  RecommendResponseSchema,
  UserModelQuerySchema,
  UserModelResponseSchema,
} from "./schemas.js";

/** A structured log sink: one JSON object per call. */
export type Logger = (entry: Record<string, unknown>) => void;

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
}

const json = (schema: Parameters<typeof resolver>[0]) => ({
  "application/json": { schema: resolver(schema) },
});
const errorResponses = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_TEXT[code] ?? "Error", content: json(ErrorSchema) }]),
  );
const ERROR_TEXT: Record<number, string> = {
  400: "Body is not valid JSON",
  401: "Missing or wrong X-API-Key",
  413: "Body larger than the limit",
  422: "Invalid parameter or body (the field is named)",
  503: "A store is unavailable, or auth is not configured",
};

type Issue = {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
};

function validationHook(result: { success: boolean; error?: unknown }, c: Context): Response | undefined {
  if (result.success) return undefined;
  const issues = (Array.isArray(result.error) ? result.error : []) as Issue[];
  const fields = issues.map((issue) => {
    const field = (issue.path ?? [])
      .map((p) => String(typeof p === "object" && p !== null ? p.key : p))
      .join(".");
    return { field, message: issue.message };
  });
  const first = fields[0] ?? { field: "query", message: "invalid request" };
  return sendError(
    c,
    new HttpError(422, "invalid_argument", first.message, { field: first.field, issues: fields }),
  );
}

function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * The recsys routes (design §5), to mount under the base path: ingest, recommend, usermodel, the
 * OpenAPI document and the docs page.
 * @param components - stores and orchestrators
 * @param options - auth, limits, clock, metrics
 */
export function makeRouter(components: Components, options: AppOptions = {}): Hono {
  const router = new Hono();
  const metrics = options.metrics ?? new Metrics();
  const clock = options.clock ?? components.clock;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxDepth = options.maxDepth ?? 64;
  const { eventBuffer, updater, recommender, modelStore } = components;

  router.post(
    "/api/ingest",
    describeRoute({
      summary: "Ingest RudderStack events",
      description:
        'Normalise RudderStack track/identify calls (one object, an array, or the {"batch": [...]} envelope), append the valid ones to the event buffer and rebuild the model of every touched user. Items that cannot be used are reported in `rejected` with their index and reason; the others are kept.',
      tags: ["ingest"],
      security: [{ apiKey: [] }],
      requestBody: { required: true, content: json(IngestBodySchema) },
      responses: {
        200: { description: "Events stored, models refreshed", content: json(IngestResponseSchema) },
        ...errorResponses(400, 401, 413, 422, 503),
      },
    }),
    guard("write", options),
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new HttpError(413, "payload_too_large", `request body is larger than ${maxBodyBytes} bytes`);
      },
    }),
    async (c) => {
      const text = await c.req.text();
      if (text.trim() === "") throw new HttpError(400, "invalid_json", "request body is empty");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new HttpError(
          400,
          "invalid_json",
          `request body is not valid JSON: ${(error as Error).message}`,
        );
      }
      if (typeof body !== "object" || body === null) {
        throw new HttpError(422, "invalid_body", "request body must be a JSON object or array", {
          field: "body",
        });
      }
      if (depthExceeds(body, maxDepth)) {
        throw new HttpError(422, "invalid_body", `request body is nested deeper than ${maxDepth} levels`, {
          field: "body",
        });
      }
      const now = clock();
      const { events, rejected } = normalizeEvents(body, { now });
      metrics.inc("events_rejected", rejected.length);
      if (events.length === 0 && rejected.length > 0) {
        const first = rejected[0]!;
        throw new HttpError(422, "no_valid_events", `no usable event: item ${first.index}: ${first.reason}`, {
          rejected,
        });
      }
      await eventBuffer.append(events);
      metrics.inc("events_ingested", events.length);
      const users = [...new Set(events.map((e) => e.user_id))].sort();
      try {
        await updater.refreshAll(users, eventBuffer, { now });
      } catch (error) {
        if (!StoreUnavailableError.isInstance(error)) throw error;
        throw new HttpError(
          503,
          "store_unavailable",
          `events were stored, but user models could not be refreshed (${error.store}); they are rebuilt on the next ingest`,
          { events_stored: events.length, users, reason: error.message },
        );
      }
      return c.json({ status: "ok" as const, ingested: events.length, users, rejected });
    },
  );

  router.get(
    "/api/recommend",
    describeRoute({
      summary: "Recommend for a user",
      description:
        "A short, diversity-reranked list of unseen items with one distractor, each with its per-scorer breakdown and 6-feature vector. `filter` and `near_lat`/`near_lon` + `geo_radius_m` restrict the candidates (intersected when both are given); `near` alone only adds the geo scorer.",
      tags: ["serve"],
      responses: {
        200: { description: "The recommendation", content: json(RecommendResponseSchema) },
        ...errorResponses(401, 422, 503),
      },
    }),
    guard("serve", options),
    validator("query", RecommendQuerySchema, validationHook),
    async (c) => {
      const q = c.req.valid("query");
      const hasLat = q.near_lat !== undefined;
      const hasLon = q.near_lon !== undefined;
      if (hasLat !== hasLon) {
        const missing = hasLat ? "near_lon" : "near_lat";
        throw new HttpError(
          422,
          "invalid_argument",
          `${missing} is required with ${hasLat ? "near_lat" : "near_lon"}`,
          { field: missing },
        );
      }
      if (q.geo_radius_m !== undefined && !hasLat) {
        throw new HttpError(422, "invalid_argument", "geo_radius_m needs near_lat and near_lon", {
          field: "geo_radius_m",
        });
      }
      const rec = await recommender.recommend(q.user_id, {
        filter: q.filter ?? null,
        near: hasLat ? { lat: q.near_lat!, lon: q.near_lon! } : null,
        geoRadiusM: q.geo_radius_m ?? null,
        limit: q.limit ?? null,
      });
      metrics.inc("recommendations", 1, { strategy: rec.strategy });
      return c.json({
        result: {
          user_id: rec.user_id,
          request_id: randomUUID().replace(/-/g, ""),
          strategy: rec.strategy,
          items: toRecommendationItems(rec, { includeContent: q.include_content ?? true }),
          diagnostics: rec.diagnostics,
          filter: q.filter ?? null,
        },
      });
    },
  );

  router.get(
    "/api/usermodel",
    describeRoute({
      summary: "A user's materialised model",
      description: "The stored UserSignals of a user, or null. Exposes personal data: guarded like ingest.",
      tags: ["debug"],
      security: [{ apiKey: [] }],
      responses: {
        200: { description: "The model, or null", content: json(UserModelResponseSchema) },
        ...errorResponses(401, 422, 503),
      },
    }),
    guard("write", options),
    validator("query", UserModelQuerySchema, validationHook),
    async (c) => c.json({ result: await modelStore.getSignals(c.req.valid("query").user_id) }),
  );
  return router;
}

/** What `/ready` pings. */
function storesOf(components: Components): [string, { ping(): Promise<void> }][] {
  return [
    ["content", components.contentStore],
    ["events", components.eventBuffer],
    ["models", components.modelStore],
  ];
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
  const log: Logger = options.logger ?? ((entry) => process.stdout.write(`${JSON.stringify(entry)}\n`));
  const app = new Hono();

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
      duration_ms: Math.round(seconds * 1e5) / 100,
    });
  });

  app.onError((error, c) => {
    const mapped = toHttpError(error);
    if (mapped.status >= 500 && mapped.code === "internal_error") {
      log({ ts: new Date().toISOString(), level: "error", msg: "unhandled error", error: String(error) });
    }
    return sendError(c, mapped);
  });
  app.notFound((c) =>
    sendError(
      c,
      new HttpError(404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`),
    ),
  );

  app.get(
    "/health",
    describeRoute({
      summary: "Liveness",
      tags: ["ops"],
      responses: { 200: { description: "Alive", content: json(HealthSchema) } },
    }),
    (c) => c.json({ status: "ok" as const, version: options.version ?? "unknown" }),
  );
  app.get(
    "/ready",
    describeRoute({
      summary: "Readiness: pings every configured store",
      tags: ["ops"],
      responses: {
        200: { description: "All stores answer", content: json(ReadySchema) },
        503: { description: "A store is down", content: json(ReadySchema) },
      },
    }),
    async (c) => {
      const results = await Promise.all(
        storesOf(components).map(async ([name, store]) => {
          try {
            await store.ping();
            return [name, "ok"] as const;
          } catch {
            return [name, "unavailable"] as const;
          }
        }),
      );
      const ok = results.every(([, state]) => state === "ok");
      return c.json(
        { status: ok ? "ready" : "unavailable", stores: Object.fromEntries(results) },
        ok ? 200 : 503,
      );
    },
  );
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/metrics", (c) =>
    c.text(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }),
  );

  app.route(base, makeRouter(components, { ...options, metrics }));
  app.get(
    `${base}/openapi.json`,
    openAPIRouteHandler(app, {
      documentation: {
        openapi: "3.1.0",
        info: {
          title: "recsys API",
          version: options.version ?? "0.1.0",
          description: "Ingest RudderStack events, serve explainable, diversity-aware recommendations.",
        },
        components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" } } },
      },
      exclude: [`${base}/openapi.json`, `${base}/docs`, "/metrics", "/favicon.ico"],
      defaultValidationErrorResponse: false,
    }),
  );
  app.get(`${base}/docs`, (c) =>
    c.html(docsPage(`${base}/openapi.json`), 200, {
      "content-security-policy":
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
    }),
  );
  return app;
}
