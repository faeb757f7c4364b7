import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { HealthSchema, ReadySchema } from "../schemas.js";
import { json, type RouteContext } from "./shared.js";

/**
 * `/health` (liveness), `/ready` (pings the default tenant's stores and the tenant registry), `/metrics` (Prometheus text) and the
 * favicon, at the root of the service.
 * @param context - components, metrics
 * @param version - reported by `/health`
 */
export function opsRoutes(context: RouteContext, version: string): Hono {
  const { metrics } = context;
  const components = context.tenants.defaultComponents;
  const stores: [string, { ping(): Promise<void> }][] = [
    ["content", components.contentStore],
    ["events", components.eventBuffer],
    ["models", components.modelStore],
    ["tenants", context.tenants.store],
  ];
  return new Hono()
    .get(
      "/health",
      describeRoute({
        summary: "Liveness",
        operationId: "health",
        tags: ["ops"],
        responses: { 200: { description: "Alive", content: json(HealthSchema) } },
      }),
      (c) => c.json({ status: "ok" as const, version }),
    )
    .get(
      "/ready",
      describeRoute({
        summary: "Readiness: pings every configured store",
        operationId: "ready",
        tags: ["ops"],
        responses: {
          200: { description: "All stores answer", content: json(ReadySchema) },
          503: { description: "A store is down", content: json(ReadySchema) },
        },
      }),
      async (c) => {
        const results = await Promise.all(
          stores.map(async ([name, store]) => {
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
    )
    .get("/favicon.ico", (c) => c.body(null, 204))
    .get("/metrics", async (c) =>
      c.text(await metrics.render(), 200, { "content-type": metrics.contentType }),
    );
}
