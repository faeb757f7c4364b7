import { deepMerge } from "@recsys/core/config";
import { ConfigError } from "@recsys/ports";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { guard, presentedKey } from "../auth.js";
import { type Components, effectiveSettings, START_ONLY_SETTINGS } from "../components.js";
import { HttpError } from "../errors.js";
import { keyHash } from "../tenants.js";
import { errorResponses, json, type RouteContext } from "./shared.js";

const SettingsResponseSchema = v.object({
  result: v.record(v.string(), v.unknown()),
  version: v.number(),
  override: v.record(v.string(), v.unknown()),
  status: v.optional(v.picklist(["applied", "reset_to_baseline"])),
});

const ChangesResponseSchema = v.object({
  result: v.array(
    v.object({
      version: v.number(),
      at: v.string(),
      who: v.string(),
      action: v.picklist(["put", "reset"]),
      partial: v.record(v.string(), v.unknown()),
    }),
  ),
});

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The runtime settings routes (docs/behaviour.md §3.1): `GET /api/config`, `PUT /api/config` (a partial,
 * deep-merged into the override and validated by the one settings schema), `POST /api/config/reset`, and
 * `GET /api/config/changes`. Guarded; each change gets a version and is logged with the key that made it.
 * @param context - components, auth, clock, logs
 */
export function settingsRoutes(context: RouteContext): Hono {
  const { clock } = context;
  const who = (header: (name: string) => string | undefined) => {
    const key = presentedKey(header);
    return key ? `key:${keyHash(key).slice(0, 12)}` : "dev (no key)";
  };
  const answer = async (components: Components, status?: "applied" | "reset_to_baseline") => {
    await components.applySettings();
    const current = await components.settings.current();
    return {
      result: components.cfg as unknown as Record<string, unknown>,
      version: current.version,
      override: current.override as Record<string, unknown>,
      ...(status ? { status } : {}),
    };
  };
  const security = [{ apiKey: [] }, { basic: [] }, { bearer: [] }];
  return new Hono()
    .get(
      "/api/config",
      describeRoute({
        summary: "The settings in use",
        operationId: "getConfig",
        description:
          "The effective settings (the start-up settings with the runtime override applied), the override, and its version.",
        tags: ["settings"],
        security,
        responses: {
          200: { description: "The settings", content: json(SettingsResponseSchema) },
          ...errorResponses(401, 503),
        },
      }),
      guard("write", context.auth, context.tenants),
      async (c) => c.json(await answer(c.get("tenant"))),
    )
    .put(
      "/api/config",
      describeRoute({
        summary: "Change settings at run time",
        operationId: "putConfig",
        description:
          "A partial settings object, deep-merged into the runtime override and validated by the settings schema (422 naming the field). Every replica applies it within about a second; recommendations carry the new `settings_version`. The settings the stores are built with (event window, caps, TTLs) apply at the next start only and are refused here.",
        tags: ["settings"],
        security,
        requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
        responses: {
          200: { description: "Applied", content: json(SettingsResponseSchema) },
          ...errorResponses(400, 401, 422, 503),
        },
      }),
      guard("write", context.auth, context.tenants),
      async (c) => {
        let partial: unknown;
        try {
          partial = await c.req.json();
        } catch {
          throw new HttpError(400, "invalid_json", "body is not valid JSON");
        }
        const components = c.get("tenant");
        if (!isPlainObject(partial))
          throw new HttpError(422, "invalid_argument", "expected a JSON object", { field: "config" });
        for (const key of START_ONLY_SETTINGS)
          if (key in partial)
            throw new HttpError(422, "invalid_argument", `${key} applies at the next start only`, {
              field: key,
            });
        try {
          await components.settings.update(
            (current) => {
              const next = deepMerge(current, partial) as Record<string, unknown>;
              effectiveSettings(components.baseCfg, next); // throws ConfigError naming the field
              return next;
            },
            { at: new Date(clock()).toISOString(), who: who((n) => c.req.header(n)), action: "put", partial },
          );
        } catch (error) {
          if (!ConfigError.isInstance(error)) throw error;
          throw new HttpError(422, "invalid_argument", `${error.variable}: ${error.message}`, {
            field: error.variable,
          });
        }
        return c.json(await answer(components, "applied"));
      },
    )
    .post(
      "/api/config/reset",
      describeRoute({
        summary: "Back to the start-up settings",
        operationId: "resetConfig",
        tags: ["settings"],
        security,
        responses: {
          200: { description: "Reset", content: json(SettingsResponseSchema) },
          ...errorResponses(401, 503),
        },
      }),
      guard("write", context.auth, context.tenants),
      async (c) => {
        const components = c.get("tenant");
        await components.settings.update(() => ({}), {
          at: new Date(clock()).toISOString(),
          who: who((n) => c.req.header(n)),
          action: "reset",
          partial: {},
        });
        return c.json(await answer(components, "reset_to_baseline"));
      },
    )
    .get(
      "/api/config/changes",
      describeRoute({
        summary: "Who changed the settings, and how",
        operationId: "configChanges",
        tags: ["settings"],
        security,
        responses: {
          200: { description: "Newest first", content: json(ChangesResponseSchema) },
          ...errorResponses(401, 503),
        },
      }),
      guard("write", context.auth, context.tenants),
      async (c) => {
        const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 50) || 50, 1), 1000);
        return c.json({ result: await c.get("tenant").settings.changes(limit) });
      },
    );
}
