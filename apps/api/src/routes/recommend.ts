import { sValidator } from "@hono/standard-validator";
import { RecommendOptionsSchema, RecommendQuerySchema, UserIdSchema } from "@recsys/ports";
import { toJsonSchema } from "@valibot/to-json-schema";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { guard, isOperator } from "../auth.js";
import { newRequestId } from "../request-id.js";
import { RecommendResponseSchema } from "../schemas.js";
import { ServedRecorder } from "../served.js";
import { errorResponses, json, type RouteContext, validationHook, withSettingsVersion } from "./shared.js";

/** The headers `c.json` sets. */
const JSON_CONTENT = { "Content-Type": "application/json" } as const;

type JsonSchema = { readonly description?: string } & Record<string, unknown>;

/**
 * The query parameters as documented: typed as the values they become (integers, numbers, booleans), from
 * the typed options schema; the query is checked with the text schema, whose fields apply the same checks.
 */
const PARAMETERS = (() => {
  const options = toJsonSchema(RecommendOptionsSchema, { errorMode: "ignore" }) as {
    properties: Record<string, JsonSchema>;
  };
  const userId = toJsonSchema(UserIdSchema, { errorMode: "ignore" }) as JsonSchema;
  const parameter = (name: string, required: boolean, schema: JsonSchema) => ({
    name,
    in: "query",
    required,
    ...(schema.description ? { description: schema.description } : {}),
    schema,
  });
  return [
    parameter("user_id", true, userId),
    ...Object.entries(options.properties).map(([name, schema]) => parameter(name, false, schema)),
  ] as NonNullable<Parameters<typeof describeRoute>[0]["parameters"]>;
})();

/**
 * `GET /api/recommend`: a recommendation for a stored user. The query is validated by the options schema
 * of `@recsys/ports`, the same one the CLI and the Recommender use.
 * @param context - components, auth, metrics
 */
export function recommendRoutes(context: RouteContext): Hono {
  const { metrics, clock } = context;
  const recorder = new ServedRecorder(context.log);
  context.onClose(() => recorder.flush());
  return new Hono().get(
    "/api/recommend",
    describeRoute({
      summary: "Recommend for a user",
      operationId: "recommend",
      description:
        "A short, diversity-reranked list of unseen items with one distractor, each with its per-scorer breakdown and 6-feature vector. `filter` and `near_lat`/`near_lon` + `geo_radius_m` restrict the candidates (intersected when both are given); `near` alone only adds the geo scorer. `seed` makes the distractor decision and slot reproducible. Every answer is logged as a served list and its items await their reward, unless an operator (the API key presented) sends `X-Recsys-Operator: 1`, as the dashboard does for its look-ups.",
      tags: ["serve"],
      parameters: PARAMETERS,
      // Public unless serving requires the key (RECSYS_SERVING_REQUIRES_KEY).
      ...(context.auth.servingRequiresKey
        ? { security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }] }
        : {}),
      responses: {
        200: { description: "The recommendation", content: json(RecommendResponseSchema) },
        ...errorResponses(401, 422, 503),
      },
    }),
    guard("serve", context.auth, context.tenants),
    sValidator("query", RecommendQuerySchema, validationHook),
    async (c) => {
      const { user_id: userId, include_content: includeContent = true, ...options } = c.req.valid("query");
      const components = c.get("tenant");
      const { tenant } = c.get("access");
      const { recommender, settingsVersion } = components;
      const served = await recommender.recommend(userId, options);
      const rec = { ...served, diagnostics: withSettingsVersion(served.diagnostics, settingsVersion) };
      // An operator's look-up (the dashboard) with the key may ask not to count: no served log, no
      // impressions, no metrics, so it never dilutes CTR or feeds the bandit.
      const lookUp =
        c.req.header("x-recsys-operator") === "1" &&
        isOperator((n) => c.req.header(n), context.auth, c.get("access"));
      if (!lookUp) {
        metrics.inc("recommendations", 1, tenant, { strategy: rec.strategy });
        metrics.served(rec, rec.diagnostics.variant ?? null, tenant);
      }
      // The request's id (the caller's X-Request-Id, or a new one), echoed in the response header; a view
      // that echoes it back is the reward of the item viewed.
      const body = recorder.answerBody(components, rec, {
        requestId: c.get("requestId") ?? newRequestId(),
        includeContent,
        filter: options.filter ?? null,
        now: clock(),
        record: !lookUp,
      });
      // JSON.stringify({ result }) to the byte, each content's text made once (src/answer-json.ts).
      return c.body(body, 200, JSON_CONTENT);
    },
  );
}
