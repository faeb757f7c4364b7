import { Hono } from "hono";
import { describeRoute, validator } from "hono-openapi";
import { guard } from "../auth.js";
import { UserModelQuerySchema, UserModelResponseSchema } from "../schemas.js";
import { errorResponses, json, type RouteContext, validationHook } from "./shared.js";

/**
 * `GET /api/usermodel`: a user's stored model (personal data: guarded like ingest).
 * @param context - components, auth
 */
export function usermodelRoutes(context: RouteContext): Hono {
  return new Hono().get(
    "/api/usermodel",
    describeRoute({
      summary: "A user's materialised model",
      operationId: "getUserModel",
      description: "The stored UserSignals of a user, or null. Exposes personal data: guarded like ingest.",
      tags: ["debug"],
      security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }],
      responses: {
        200: { description: "The model, or null", content: json(UserModelResponseSchema) },
        ...errorResponses(401, 422, 503),
      },
    }),
    guard("write", context.auth, context.tenants),
    validator("query", UserModelQuerySchema, validationHook),
    async (c) =>
      c.json({ result: await c.get("tenant").modelStore.getSignals(c.req.valid("query").user_id) }),
  );
}
