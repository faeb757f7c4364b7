import { explainUser, historyOf, previewSignals, Recommender, surveyExtras } from "@recsys/core";
import { contentTagWeights } from "@recsys/core/scoring";
import {
  ConfigError,
  type Content,
  isCold,
  PreviewSpecSchema,
  RecommendOptionsTextSchema,
  UserIdSchema,
  UserSignalsSchema,
} from "@recsys/ports";
import { Hono } from "hono";
import { describeRoute, validator } from "hono-openapi";
import * as v from "valibot";
import { guard } from "../auth.js";
import { type Components, effectiveSettings } from "../components.js";
import { HttpError } from "../errors.js";
import { newRequestId } from "../request-id.js";
import { RecommendationResultSchema, UserModelQuerySchema } from "../schemas.js";
import { ServedRecorder } from "../served.js";
import { errorResponses, json, type RouteContext, validationHook, withSettingsVersion } from "./shared.js";

const ExplainQuerySchema = v.object({
  user_id: UserIdSchema,
  verbalize: v.optional(v.picklist(["true", "false", "1", "0"], "verbalize must be true or false")),
});

const PreviewResponseSchema = v.object({
  result: v.object({ ...RecommendationResultSchema.entries, user_model: UserSignalsSchema }),
});

const ExplainResponseSchema = v.object({ result: v.nullable(v.record(v.string(), v.unknown())) });

const HistoryQuerySchema = v.object({
  user_id: UserIdSchema,
  limit: v.optional(
    v.pipe(
      v.string(),
      v.transform(Number),
      v.integer("limit must be an integer from 1 to 2000"),
      v.minValue(1, "limit must be an integer from 1 to 2000"),
      v.maxValue(2000, "limit must be an integer from 1 to 2000"),
    ),
  ),
});

const ServedExplainQuerySchema = v.object({
  request_id: v.pipe(v.string(), v.minLength(1, "request_id is required")),
});

const intText = (name: string, min: number, max: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.transform(Number),
      v.integer(`${name} must be an integer from ${min} to ${max}`),
      v.minValue(min, `${name} must be an integer from ${min} to ${max}`),
      v.maxValue(max, `${name} must be an integer from ${min} to ${max}`),
    ),
  );
const UsersQuerySchema = v.object({ limit: intText("limit", 1, 5000) });
const StatsQuerySchema = v.object({ limit: intText("limit", 1, 200) });
/** Facets whose tags the content stats count as themes. */
const THEME_FACETS = ["theme_what", "theme_how", "place_where", "location"];

/**
 * The OpenAPI description of a guarded operator route answering `{result: …}`.
 * @param operationId - the operation id
 * @param summary - one line
 * @param description - what it answers
 * @param ok - the 200 answer's description
 * @param errors - the error statuses it may answer
 */
function operatorDoc(
  operationId: string,
  summary: string,
  description: string,
  ok: string,
  errors: number[],
) {
  return describeRoute({
    summary,
    operationId,
    description,
    tags: ["operator"],
    security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }],
    responses: {
      200: { description: ok, content: json(ExplainResponseSchema) },
      ...errorResponses(...errors),
    },
  });
}

/** How many of the newest served lists `served/explain` looks through. */
const SERVED_LOOKBACK = 5000;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The operator routes (docs/behaviour.md §6.15, §6.16): `POST /api/recommend/preview` (recommend for a
 * hand-authored profile; nothing stored) and `GET /api/usermodel/explain` (a visitor as a persona).
 * @param context - components, auth, logs
 */
export function operatorRoutes(context: RouteContext): Hono {
  const { clock } = context;
  const recorder = new ServedRecorder(context.log);
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
      guard("write", context.auth, context.tenants),
      validator("query", RecommendOptionsTextSchema, validationHook),
      validator("json", PreviewSpecSchema, validationHook),
      async (c) => {
        const components = c.get("tenant");
        const { include_content: includeContent = true, ...options } = c.req.valid("query");
        const spec = c.req.valid("json");
        const { cfg, settingsVersion } = components;
        let recommender = components.recommender;
        if (Object.keys(spec.settings).length > 0) {
          // What-if: this preview only, with the settings override applied (validated like PUT /config).
          let effective: typeof cfg;
          try {
            effective = effectiveSettings(cfg, spec.settings);
          } catch (error) {
            if (!ConfigError.isInstance(error)) throw error;
            const field = `settings.${error.variable}`;
            throw new HttpError(422, "invalid_argument", `${field}: ${error.message}`, { field });
          }
          recommender = new Recommender({
            contentStore: components.contentStore,
            modelStore: components.modelStore,
            cfg: effective,
            rankingPolicies: { bandit: components.policy.policy },
          });
        }
        const signals = await previewSignals(spec, components.contentStore, cfg);
        const made = await recommender.recommendForSignals(signals, {
          ...options,
          ...(spec.limit !== null ? { limit: spec.limit } : {}),
        });
        const rec = { ...made, diagnostics: withSettingsVersion(made.diagnostics, settingsVersion) };
        const result = recorder.answer(components, rec, {
          requestId: c.get("requestId") ?? newRequestId(),
          includeContent,
          filter: options.filter ?? null,
          now: clock(),
          impressions: false,
        });
        return c.json({ result: { ...result, user_model: signals } });
      },
    )
    .get(
      "/api/usermodel/explain",
      operatorDoc(
        "explainUserModel",
        "A visitor explained as a persona",
        "Visitor type (after Falk) with its confidence and scores, top interests and aversions with the items that are their evidence, reading style, experience preference, and the path through themes; with `verbalize=true` also a prose summary. Null when the visitor has no model. Exposes personal data: guarded.",
        "The persona, or null",
        [401, 422, 503],
      ),
      guard("write", context.auth, context.tenants),
      validator("query", ExplainQuerySchema, validationHook),
      async (c) => {
        const components = c.get("tenant");
        const { user_id: userId, verbalize } = c.req.valid("query");
        const signals = await components.modelStore.getSignals(userId);
        if (!signals) return c.json({ result: null });
        const contents = await contentsOf(components, [
          ...Object.keys(signals.positives),
          ...Object.keys(signals.negatives),
          ...signals.recent_views,
        ]);
        const persona = explainUser(signals, contents, {
          verbalize: verbalize === "true" || verbalize === "1",
        });
        return c.json({ result: persona as unknown as Record<string, unknown> });
      },
    )
    .get(
      "/api/usermodel/history",
      operatorDoc(
        "userHistory",
        "A visitor's history",
        "Sessions (by SESSION_STARTED … SESSION_ENDED/GLOBAL_ENDED markers, or 30-minute gaps), what happened to each item (visits, longest dwell, last end reason, outcome by the model), and the buffered events, newest first, at most `limit` (1..2000, default 200). Guarded.",
        "The history",
        [401, 422, 503],
      ),
      guard("write", context.auth, context.tenants),
      validator("query", HistoryQuerySchema, validationHook),
      async (c) => {
        const components = c.get("tenant");
        const { user_id: userId, limit } = c.req.valid("query");
        const [events, signals] = await Promise.all([
          components.eventBuffer.fetchEvents(userId),
          components.modelStore.getSignals(userId),
        ]);
        const contents = await contentsOf(
          components,
          events.flatMap((e) => (e.content_id ? [e.content_id] : [])),
        );
        const history = historyOf(userId, events, signals, contents, limit ?? 200);
        return c.json({ result: history as unknown as Record<string, unknown> });
      },
    )
    .get(
      "/api/usermodel/extras",
      operatorDoc(
        "userExtras",
        "A visitor's model and answers, for people",
        "Demographics, the survey answers merged over the buffered events (later wins, empty answers skipped), and the model as a person reads it: the 12 strongest affinities and aversions, the 15 most liked and most disliked items with titles and tags, the 5 unseen items nearest the visitor's taste (taste neighbours), counts, and whether the visitor is cold. Null when the visitor has no model. Guarded.",
        "The extras, or null",
        [401, 422, 503],
      ),
      guard("write", context.auth, context.tenants),
      validator("query", UserModelQuerySchema, validationHook),
      async (c) => {
        const components = c.get("tenant");
        const userId = c.req.valid("query").user_id;
        const [signals, events] = await Promise.all([
          components.modelStore.getSignals(userId),
          components.eventBuffer.fetchEvents(userId),
        ]);
        if (!signals) return c.json({ result: null });
        const answers: Record<string, unknown> = {};
        for (const event of events)
          for (const [key, value] of Object.entries(event.survey_answers))
            if (value !== null && value !== undefined && value !== "") answers[key] = value;
        const strongest = (weights: Readonly<Record<string, number>>, n: number) =>
          Object.entries(weights)
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
            .slice(0, n);
        const top = (weights: Readonly<Record<string, number>>, n: number) =>
          strongest(weights, n).map(([key, weight]) => ({ key, weight: round3(weight) }));
        const liked = strongest(signals.positives, 15);
        const disliked = strongest(signals.negatives, 15);
        // One round trip: the liked and disliked items, and the unseen items nearest the visitor's taste.
        const taste = signals.taste_vector;
        const [hits = [], near = []] = await components.contentStore.query([
          {
            kind: "ids",
            // the liked and disliked items, and the items a personalisation answer picked by id
            ids: [
              ...[...liked, ...disliked].map(([id]) => id),
              ...Object.values(answers)
                .flatMap((v) => (Array.isArray(v) ? v : [v]))
                .flatMap((v) =>
                  (typeof v === "string" || typeof v === "number") && /^\d+$/.test(String(v).trim())
                    ? [String(v).trim()]
                    : [],
                ),
            ],
          },
          ...(taste && taste.length > 0
            ? [{ kind: "vector" as const, vector: taste, limit: 5, exclude: new Set(signals.viewed) }]
            : []),
        ]);
        const contents = new Map<string, Content>(
          hits.flatMap((h) => (h.content ? [[h.id, h.content] as const] : [])),
        );
        const described = (entries: [string, number][]) =>
          entries.map(([id, weight]) => ({
            id,
            title: contents.get(id)?.title ?? null,
            weight: round3(weight),
            tags: (contents.get(id)?.tags ?? []).map((t) => `${t.facet}:${t.label}`),
          }));
        return c.json({
          result: {
            demographics: signals.demographics,
            surveys: {
              answers,
              ...surveyExtras(answers, components.cfg.survey, (id) => contents.get(id)?.title ?? null),
            },
            model: {
              tag_affinity: top(signals.tag_affinity, 12),
              tag_aversion: top(signals.tag_aversion, 12),
              behavior: signals.behavior,
              liked_content: described(liked),
              disliked_content: described(disliked),
              taste_neighbours: near.map((hit) => ({
                id: hit.id,
                title: hit.content?.title ?? null,
                similarity: round3(hit.score),
              })),
              counts: {
                positives: Object.keys(signals.positives).length,
                negatives: Object.keys(signals.negatives).length,
                viewed: signals.viewed.length,
              },
              is_cold: isCold(signals, components.cfg.cold_start_min_positives),
            },
          },
        });
      },
    )
    .get(
      "/api/served/explain",
      operatorDoc(
        "servedExplain",
        "Explain a past answer",
        `A served list (one of the newest ${SERVED_LOOKBACK}) by its request id: how it was made, each item with its breakdown, its tags and the visitor's weight on each, and the visitor's persona as their model stands now. Null with a detail when the list is not found. Guarded.`,
        "The explanation, or null",
        [401, 422, 503],
      ),
      guard("write", context.auth, context.tenants),
      validator("query", ServedExplainQuerySchema, validationHook),
      async (c) => {
        const components = c.get("tenant");
        const requestId = c.req.valid("query").request_id;
        const entry = (await components.servedLog.recent({ limit: SERVED_LOOKBACK })).find(
          (e) => e.request_id === requestId,
        );
        if (!entry) return c.json({ result: null, detail: "no served list with this request_id" });
        const signals = await components.modelStore.getSignals(entry.user_id);
        const affinity = signals?.tag_affinity ?? {};
        const contents = await contentsOf(components, [
          ...entry.items.map((i) => i.id),
          ...(signals
            ? [...Object.keys(signals.positives), ...Object.keys(signals.negatives), ...signals.recent_views]
            : []),
        ]);
        return c.json({
          result: {
            request_id: entry.request_id,
            user_id: entry.user_id,
            ts: entry.ts,
            strategy: entry.strategy,
            filter: entry.filter,
            ranking: entry.ranking,
            settings_version: entry.settings_version,
            variant: entry.variant,
            distractor_id: entry.items.find((i) => i.role === "distractor")?.id ?? null,
            user_model: signals ? explainUser(signals, contents, { verbalize: true }) : null,
            user_tag_affinity: Object.entries(affinity)
              .sort((a, b) => b[1] - a[1])
              .slice(0, 15)
              .map(([key, weight]) => ({ key, weight: round3(weight) })),
            items: entry.items.map((item) => {
              const content = contents.get(item.id) ?? null;
              const tags = content ? [...contentTagWeights(content).keys()] : [];
              return {
                id: item.id,
                title: content?.title ?? null,
                rank: item.rank,
                role: item.role,
                relevance_score: item.relevance_score,
                breakdown: item.breakdown,
                content_tags: tags,
                tag_overlap: tags
                  .filter((k) => k in affinity)
                  .map((key) => ({ key, user_weight: round3(affinity[key]!) })),
                image_url: content?.image_url ?? null,
                public_url: content?.public_url ?? null,
              };
            }),
          },
        });
      },
    )
    .get(
      "/api/users",
      operatorDoc(
        "users",
        "Recent visitors",
        "The most recently active visitors first (1..5000, default 500): last interaction, events, views, liked and seen items, and whether they are served cold. Kept up to date on ingest: no request scans the stored keys. Guarded.",
        "Visitors",
        [401, 422, 503],
      ),
      guard("write", context.auth, context.tenants),
      validator("query", UsersQuerySchema, validationHook),
      async (c) =>
        c.json({ result: await c.get("tenant").activity.visitors(c.req.valid("query").limit ?? 500) }),
    )
    .get(
      "/api/content/stats",
      operatorDoc(
        "contentStats",
        "What visitors do with the content",
        "The most viewed items (1..200, default 30) with views, visitors, mean longest dwell, and how many visitors like them; the number of visitors; and the top 40 themes (theme_what, theme_how, place_where, location tags) by the visitors of the 200 most viewed items carrying them. Kept up to date on ingest. Guarded.",
        "Content statistics",
        [401, 422, 503],
      ),
      guard("write", context.auth, context.tenants),
      validator("query", StatsQuerySchema, validationHook),
      async (c) => {
        const components = c.get("tenant");
        const limit = c.req.valid("query").limit ?? 30;
        const [top, users] = await Promise.all([
          components.activity.items(200),
          components.activity.visitorCount(),
        ]);
        const contents = await contentsOf(
          components,
          top.map((i) => i.content_id),
        );
        const themes = new Map<string, number>();
        for (const item of top)
          for (const tag of contents.get(item.content_id)?.tags ?? [])
            if (THEME_FACETS.some((f) => tag.facet === f || tag.facet.startsWith(`${f}.`))) {
              const key = `${tag.facet}:${tag.label}`.toLowerCase();
              themes.set(key, (themes.get(key) ?? 0) + item.visitors);
            }
        return c.json({
          result: {
            users,
            content: top.slice(0, limit).map((item) => ({
              content_id: item.content_id,
              title: contents.get(item.content_id)?.title ?? null,
              views: item.views,
              users: item.visitors,
              avg_dwell: item.avg_dwell,
              positive: item.positive,
              positive_rate: item.positive_rate,
            })),
            themes: [...themes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 40),
          },
        });
      },
    )
    .get(
      "/api/content/:content_id",
      operatorDoc(
        "contentItem",
        "One item: its content and activity",
        "The item's content and its activity; 404 when the catalogue does not have it and nobody viewed it. Guarded.",
        "The item",
        [401, 404, 503],
      ),
      guard("write", context.auth, context.tenants),
      async (c) => {
        const components = c.get("tenant");
        const id = c.req.param("content_id");
        const [contents, stats] = await Promise.all([
          contentsOf(components, [id]),
          components.activity.item(id),
        ]);
        const content = contents.get(id) ?? null;
        if (!content && !stats)
          throw new HttpError(404, "not_found", "content not found", { field: "content_id" });
        return c.json({ result: { content_id: id, content, stats } });
      },
    );
}

/** The contents of some items (one content-store round trip; none for no ids). */
async function contentsOf(components: Components, ids: readonly string[]): Promise<Map<string, Content>> {
  const contents = new Map<string, Content>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return contents;
  const [hits = []] = await components.contentStore.query([{ kind: "ids", ids: unique }]);
  for (const hit of hits) if (hit.content) contents.set(hit.id, hit.content);
  return contents;
}
