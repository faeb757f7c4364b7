import { explainUser, previewSignals, toRecommendationItems } from "@recsys/core";
import {
  type Content,
  PreviewSpecSchema,
  RecommendOptionsTextSchema,
  UserIdSchema,
  UserSignalsSchema,
} from "@recsys/ports";
import { Hono } from "hono";
import { describeRoute, validator } from "hono-openapi";
import * as v from "valibot";
import { guard } from "../auth.js";
import { newRequestId } from "../request-id.js";
import { RecommendationResultSchema } from "../schemas.js";
import { ServedRecorder } from "../served.js";
import { errorResponses, json, type RouteContext, validationHook } from "./shared.js";

const ExplainQuerySchema = v.object({
  user_id: UserIdSchema,
  verbalize: v.optional(v.picklist(["true", "false", "1", "0"], "verbalize must be true or false")),
});

const PreviewResponseSchema = v.object({
  result: v.object({ ...RecommendationResultSchema.entries, user_model: UserSignalsSchema }),
});

const ExplainResponseSchema = v.object({ result: v.nullable(v.record(v.string(), v.unknown())) });

/**
 * The operator routes (docs/behaviour.md §6.15, §6.16): `POST /api/recommend/preview` (recommend for a
 * hand-authored profile; nothing stored) and `GET /api/usermodel/explain` (a visitor as a persona).
 * @param context - components, auth, logs
 */
export function operatorRoutes(context: RouteContext): Hono {
  const { components, clock } = context;
  const recorder = new ServedRecorder(components, context.log);
  context.onClose(() => recorder.flush());
  return new Hono()
    .post(
      "/api/recommend/preview",
      describeRoute({
        summary: "Recommend for a hand-authored profile",
        operationId: "recommendPreview",
        description:
          "Builds a user model from the profile (tag affinities, liked items, survey answers or demographics) and answers as `recommend` does, plus the `user_model` it built. Nothing is stored: no event, no model, no impression; the list is written to the served log (user `preview`). Query options as for `recommend`; the list length is the profile's `limit`.",
        tags: ["operator"],
        security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }],
        requestBody: { required: true, content: json(PreviewSpecSchema) },
        responses: {
          200: { description: "The recommendation and the model", content: json(PreviewResponseSchema) },
          ...errorResponses(400, 401, 422, 503),
        },
      }),
      guard("write", context.auth),
      validator("query", RecommendOptionsTextSchema, validationHook),
      validator("json", PreviewSpecSchema, validationHook),
      async (c) => {
        const { include_content: includeContent = true, ...options } = c.req.valid("query");
        const spec = c.req.valid("json");
        const { cfg, recommender, settingsVersion } = components;
        const signals = await previewSignals(spec, components.contentStore, cfg);
        const made = await recommender.recommendForSignals(signals, {
          ...options,
          ...(spec.limit !== null ? { limit: spec.limit } : {}),
        });
        const rec = { ...made, diagnostics: { ...made.diagnostics, settings_version: settingsVersion } };
        const requestId = c.get("requestId") ?? newRequestId();
        const items = toRecommendationItems(rec, { includeContent });
        recorder.record(rec, items, requestId, clock(), { impressions: false });
        return c.json({
          result: {
            user_id: rec.user_id,
            request_id: requestId,
            strategy: rec.strategy,
            items,
            diagnostics: rec.diagnostics,
            filter: options.filter ?? null,
            user_model: signals,
          },
        });
      },
    )
    .get(
      "/api/usermodel/explain",
      describeRoute({
        summary: "A visitor explained as a persona",
        operationId: "explainUserModel",
        description:
          "Visitor type (after Falk) with its confidence and scores, top interests and aversions with the items that are their evidence, reading style, experience preference, and the path through themes; with `verbalize=true` also a prose summary. Null when the visitor has no model. Exposes personal data: guarded.",
        tags: ["operator"],
        security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }],
        responses: {
          200: { description: "The persona, or null", content: json(ExplainResponseSchema) },
          ...errorResponses(401, 422, 503),
        },
      }),
      guard("write", context.auth),
      validator("query", ExplainQuerySchema, validationHook),
      async (c) => {
        const { user_id: userId, verbalize } = c.req.valid("query");
        const signals = await components.modelStore.getSignals(userId);
        if (!signals) return c.json({ result: null });
        const ids = [
          ...new Set([
            ...Object.keys(signals.positives),
            ...Object.keys(signals.negatives),
            ...signals.recent_views,
          ]),
        ];
        const contents = new Map<string, Content>();
        if (ids.length > 0) {
          const [hits = []] = await components.contentStore.query([{ kind: "ids", ids }]);
          for (const hit of hits) if (hit.content) contents.set(hit.id, hit.content);
        }
        const persona = explainUser(signals, contents, {
          verbalize: verbalize === "true" || verbalize === "1",
        });
        return c.json({ result: persona as unknown as Record<string, unknown> });
      },
    );
}
