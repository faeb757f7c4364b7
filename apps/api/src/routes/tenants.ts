import { access } from "node:fs/promises";
import { emptyTenant } from "@recsys/core";
import {
  ConfigError,
  DEFAULT_TENANT,
  RateLimitSchema,
  type TenantSpec,
  tenantIdentifier,
} from "@recsys/ports";
import { Hono } from "hono";
import { describeRoute, validator } from "hono-openapi";
import * as v from "valibot";
import { adminGuard } from "../auth.js";
import { effectiveSettings } from "../components.js";
import { HttpError } from "../errors.js";
import { mintKey, storedKey, type TenantDirectory } from "../tenants.js";
import { errorResponses, json, type RouteContext, validationHook } from "./shared.js";

/** The body of `POST /api/tenants` (the reference's TenantIn, plus name, catalogue and rate limit). */
export const TenantInSchema = v.strictObject({
  tenant_id: tenantIdentifier("tenant_id"),
  name: v.optional(v.pipe(v.string(), v.maxLength(200, "name: at most 200 characters"))),
  collection: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(255)))),
  catalog: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1)))),
  redis_prefix: v.optional(v.nullable(tenantIdentifier("redis_prefix"))),
  /** Partial settings over the deployment's (the reference calls them `config_overrides`). */
  settings: v.optional(v.record(v.string(), v.unknown())),
  config_overrides: v.optional(v.record(v.string(), v.unknown())),
  rate_limit: v.optional(v.nullable(RateLimitSchema)),
  /** Plaintext keys to add (stored hashed; at least 16 characters each). */
  api_keys: v.optional(
    v.array(v.pipe(v.string(), v.minLength(16, "api_keys: each key must have at least 16 characters"))),
  ),
  generate_api_key: v.optional(v.boolean()),
  replace_keys: v.optional(v.boolean()),
  /** The reference's per-tenant files: accepted and not used (see docs/behaviour.md §7.7). */
  bandit_state_path: v.optional(v.nullable(v.string())),
  cluster_model_path: v.optional(v.nullable(v.string())),
});

const TenantRowSchema = v.object({
  tenant_id: v.string(),
  name: v.string(),
  source: v.picklist(["runtime", "default"]),
  collection: v.nullable(v.string()),
  catalog: v.nullable(v.string()),
  redis_prefix: v.string(),
  settings: v.record(v.string(), v.unknown()),
  rate_limit: v.nullable(RateLimitSchema),
  api_keys_count: v.number(),
  keys: v.array(v.object({ id: v.string(), created_at: v.string() })),
  content_count: v.nullable(v.number()),
});

const WhoAmISchema = v.object({
  result: v.object({
    tenant: v.string(),
    name: v.string(),
    scope: v.picklist(["global", "tenant", "public"]),
    collection: v.nullable(v.string()),
  }),
});

/** What an operator may see of a tenant: never its keys or their hashes. */
async function rowOf(directory: TenantDirectory, spec: TenantSpec, registered: boolean) {
  const components = await directory.components(spec.id).catch(() => null);
  const size = (components?.contentStore as { size?: unknown } | undefined)?.size;
  return {
    tenant_id: spec.id,
    name: spec.name || spec.id,
    source: registered ? ("runtime" as const) : ("default" as const),
    collection: components?.collection ?? spec.collection,
    catalog: spec.catalog,
    redis_prefix: directory.prefixOf(spec),
    settings: spec.settings,
    rate_limit: spec.rate_limit,
    api_keys_count: spec.keys.length,
    keys: spec.keys.map(({ id, created_at }) => ({ id, created_at })),
    content_count: typeof size === "number" ? size : null,
  };
}

const security = [{ apiKey: [] }, { basic: [] }, { bearer: [] }];

/**
 * `GET /api/whoami` (the request's tenant, scope and collection) and tenant administration (docs/behaviour.md
 * §7.7), with the global key only: `GET /api/tenants`, `POST /api/tenants` (create or update; a minted key
 * is answered once), `DELETE /api/tenants/{id}` (`?purge=true` deletes its data), and a tenant's keys
 * (`POST /api/tenants/{id}/keys` mints one, `DELETE /api/tenants/{id}/keys/{key_id}` revokes one).
 * @param context - the tenants, auth, clock
 */
export function tenantRoutes(context: RouteContext): Hono {
  const { tenants: directory, clock } = context;
  const admin = adminGuard(context.auth, directory);
  /** Apply a change to the registry and read it back, so this replica serves the change at once. */
  const change = async (id: string, next: Parameters<typeof directory.store.update>[1]) => {
    try {
      await directory.store.update(id, next);
    } catch (error) {
      if (ConfigError.isInstance(error))
        throw new HttpError(422, "invalid_argument", `${error.variable}: ${error.message}`, {
          field: error.variable,
        });
      throw error;
    }
    await directory.refresh(true);
  };
  return new Hono()
    .get(
      "/api/whoami",
      describeRoute({
        summary: "The tenant and scope of this request",
        operationId: "whoami",
        description:
          "The tenant the request resolved to (a tenant's key pins it; the global key or no key take `X-Tenant-Id`, default `default`), the scope of the key presented (`global`, `tenant` or `public`), and the tenant's Qdrant collection (null for an embedded catalogue).",
        tags: ["tenants"],
        responses: {
          200: { description: "Who the request acts as", content: json(WhoAmISchema) },
          ...errorResponses(401, 404),
        },
      }),
      (c) => {
        const access = c.get("access");
        const spec = directory.spec(access.tenant) ?? emptyTenant(access.tenant);
        return c.json({
          result: {
            tenant: access.tenant,
            name: spec.name || spec.id,
            scope: access.scope,
            collection: c.get("tenant").collection,
          },
        });
      },
    )
    .get(
      "/api/tenants",
      describeRoute({
        summary: "Every tenant",
        operationId: "listTenants",
        description:
          "Each tenant with its catalogue, Redis prefix, settings, rate limit, the number of keys and their public ids (never a key or its hash) and, best effort, its catalogue's size. The global key only.",
        tags: ["tenants"],
        security,
        responses: {
          200: { description: "The tenants", content: json(v.object({ result: v.array(TenantRowSchema) })) },
          ...errorResponses(401, 403, 503),
        },
      }),
      admin,
      async (c) => {
        await directory.refresh();
        const rows = await Promise.all(
          directory.tenants().map((spec) => rowOf(directory, spec, directory.registered(spec.id))),
        );
        return c.json({ result: rows });
      },
    )
    .post(
      "/api/tenants",
      describeRoute({
        summary: "Create or update a tenant",
        operationId: "saveTenant",
        description:
          "Fields given replace the tenant's; fields left out keep their value. `api_keys` are stored hashed and added to the tenant's keys (`replace_keys: true` replaces them); `generate_api_key: true` mints a key answered once as `api_key`. Settings are validated (422 naming the field); a Redis prefix another tenant uses is refused (409). Every replica applies the change within about a second. The global key only.",
        tags: ["tenants"],
        security,
        requestBody: { required: true, content: json(TenantInSchema) },
        responses: {
          200: {
            description: "Saved",
            content: json(v.object({ result: TenantRowSchema, status: v.literal("saved") })),
          },
          ...errorResponses(400, 401, 403, 409, 422, 503),
        },
      }),
      admin,
      validator("json", TenantInSchema, validationHook),
      async (c) => {
        const body = c.req.valid("json");
        const id = body.tenant_id;
        const settings = body.settings ?? body.config_overrides;
        if (settings !== undefined) {
          try {
            effectiveSettings(directory.defaultComponents.baseCfg, settings);
          } catch (error) {
            if (!ConfigError.isInstance(error)) throw error;
            const field = `settings.${error.variable}`;
            throw new HttpError(422, "invalid_argument", `${field}: ${error.message}`, { field });
          }
        }
        if (body.catalog) {
          await access(body.catalog).catch(() => {
            throw new HttpError(422, "invalid_argument", `catalog: cannot read ${body.catalog}`, {
              field: "catalog",
            });
          });
        }
        const now = clock();
        const minted = body.generate_api_key ? mintKey() : null;
        const added = [...(body.api_keys ?? []), ...(minted ? [minted] : [])].map((key) =>
          storedKey(key, now),
        );
        let saved: TenantSpec | null = null;
        await change(id, (current, others) => {
          const base = current ?? emptyTenant(id);
          const next: TenantSpec = {
            ...base,
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.collection !== undefined ? { collection: body.collection } : {}),
            ...(body.catalog !== undefined ? { catalog: body.catalog } : {}),
            ...(body.redis_prefix !== undefined ? { redis_prefix: body.redis_prefix } : {}),
            ...(settings !== undefined ? { settings } : {}),
            ...(body.rate_limit !== undefined ? { rate_limit: body.rate_limit } : {}),
            keys: [...(body.replace_keys ? [] : base.keys), ...added],
          };
          const prefix = directory.prefixOf(next);
          const clash = [
            ...others,
            ...(others.some((t) => t.id === DEFAULT_TENANT) ? [] : [emptyTenant(DEFAULT_TENANT)]),
          ]
            .filter((t) => t.id !== id)
            .find((t) => directory.prefixOf(t) === prefix);
          if (clash)
            throw new HttpError(409, "conflict", `redis_prefix ${prefix} is tenant ${clash.id}'s`, {
              field: "redis_prefix",
            });
          saved = next;
          return next;
        });
        const row = await rowOf(directory, saved!, true);
        return c.json({
          result: row,
          status: "saved" as const,
          ...(minted
            ? { api_key: minted, note: "the key is shown once: store it now; only its hash is kept" }
            : {}),
        });
      },
    )
    .delete(
      "/api/tenants/:tenant_id",
      describeRoute({
        summary: "Delete a tenant",
        operationId: "deleteTenant",
        description:
          "Removes the tenant and its keys from the registry (every replica stops serving it within about a second). Its data stays in Redis unless `purge=true`, which deletes every key under its prefix. The default tenant cannot be deleted (409). The global key only.",
        tags: ["tenants"],
        security,
        responses: {
          200: {
            description: "Deleted",
            content: json(
              v.object({
                status: v.literal("deleted"),
                tenant_id: v.string(),
                purged_keys: v.optional(v.number()),
              }),
            ),
          },
          ...errorResponses(401, 403, 404, 409, 503),
        },
      }),
      admin,
      async (c) => {
        const id = c.req.param("tenant_id");
        if (id === DEFAULT_TENANT)
          throw new HttpError(409, "conflict", "the default tenant cannot be deleted", {
            field: "tenant_id",
          });
        const spec = directory.spec(id);
        if (!spec)
          throw new HttpError(404, "tenant_not_found", `no tenant ${JSON.stringify(id)}`, {
            field: "tenant_id",
          });
        await change(id, () => null);
        const purge = c.req.query("purge") === "true" || c.req.query("purge") === "1";
        const purged = purge ? await directory.purge(spec) : undefined;
        return c.json({
          status: "deleted" as const,
          tenant_id: id,
          ...(purged !== undefined ? { purged_keys: purged } : {}),
        });
      },
    )
    .post(
      "/api/tenants/:tenant_id/keys",
      describeRoute({
        summary: "Mint a key for a tenant",
        operationId: "mintTenantKey",
        description: "A new 43-character key, answered once; only its hash is kept. The global key only.",
        tags: ["tenants"],
        security,
        responses: {
          200: {
            description: "The key",
            content: json(
              v.object({ api_key: v.string(), key: v.object({ id: v.string(), created_at: v.string() }) }),
            ),
          },
          ...errorResponses(401, 403, 404, 503),
        },
      }),
      admin,
      async (c) => {
        const id = c.req.param("tenant_id");
        if (!directory.spec(id))
          throw new HttpError(404, "tenant_not_found", `no tenant ${JSON.stringify(id)}`, {
            field: "tenant_id",
          });
        const key = mintKey();
        const stored = storedKey(key, clock());
        await change(id, (current) => ({
          ...(current ?? emptyTenant(id)),
          keys: [...(current?.keys ?? []), stored],
        }));
        return c.json({ api_key: key, key: { id: stored.id, created_at: stored.created_at } });
      },
    )
    .delete(
      "/api/tenants/:tenant_id/keys/:key_id",
      describeRoute({
        summary: "Revoke a tenant's key",
        operationId: "revokeTenantKey",
        description: "Every replica refuses the key within about a second. The global key only.",
        tags: ["tenants"],
        security,
        responses: {
          200: {
            description: "Revoked",
            content: json(v.object({ status: v.literal("revoked"), key_id: v.string() })),
          },
          ...errorResponses(401, 403, 404, 503),
        },
      }),
      admin,
      async (c) => {
        const id = c.req.param("tenant_id");
        const keyId = c.req.param("key_id");
        if (!directory.spec(id)?.keys.some((k) => k.id === keyId))
          throw new HttpError(404, "not_found", `tenant ${id} has no key ${keyId}`, { field: "key_id" });
        await change(id, (current) =>
          current ? { ...current, keys: current.keys.filter((k) => k.id !== keyId) } : null,
        );
        return c.json({ status: "revoked" as const, key_id: keyId });
      },
    );
}
