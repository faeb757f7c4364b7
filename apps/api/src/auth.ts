import { createHash, timingSafeEqual } from "node:crypto";
import { DEFAULT_TENANT } from "@recsys/ports";
import type { MiddlewareHandler } from "hono";
import type { Components } from "./components.js";
import { HttpError } from "./errors.js";
import type { Access, TenantDirectory } from "./tenants.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The request's tenant and the authority it presented (set by {@link resolveTenant}). */
    access: Access;
    /** The request's tenant's components. */
    tenant: Components;
  }
}

/** Auth settings (docs/behaviour.md §7.5). */
export interface AuthOptions {
  /** `RECSYS_API_KEY`: the key clients send as `X-API-Key`. */
  readonly apiKey?: string | undefined;
  /** `RECSYS_SERVING_REQUIRES_KEY=1`: recommend needs the key too. */
  readonly servingRequiresKey?: boolean;
  /** Dev mode (`RECSYS_DEV=1`, or the embedded default): guarded routes open when no key is set. */
  readonly dev?: boolean;
}

/**
 * SHA-256 of a secret, as compared in constant time.
 * @param value - the secret
 */
export function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Constant-time comparison of two secrets (hashing first, so their lengths leak nothing).
 * @param a - one secret
 * @param b - the other
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The key a request presents: `X-API-Key`, else `Authorization: Bearer <key>`, else
 * `Authorization: Basic base64(<key>:)` (RudderStack SDKs send their write key as the user name; a key
 * given as the password with an empty user name is accepted too).
 * @param header - reads a request header
 * @returns the key, or undefined when none is presented
 */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const apiKey = header("x-api-key");
  if (apiKey !== undefined) return apiKey;
  const authorization = header("authorization")?.trim();
  if (!authorization) return undefined;
  const [scheme = "", value = ""] = authorization.split(/\s+/, 2);
  if (scheme.toLowerCase() === "bearer") return value;
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    const password = colon === -1 ? "" : decoded.slice(colon + 1);
    return user !== "" ? user : password;
  }
  return authorization;
}

const MISSING_KEY =
  "invalid or missing key (X-API-Key, Authorization: Bearer, or Basic with the key as user name)";

/**
 * The request's tenant (docs/behaviour.md §7.7), set before any `/api` or `/v1` route runs: a tenant's key
 * pins the request to its tenant (`X-Tenant-Id` is then ignored); the global key (`RECSYS_API_KEY`), or no
 * key, takes the tenant from `X-Tenant-Id` (default `default`). A key that matches neither is refused
 * (401) once any key is configured; an unregistered tenant is refused with 404 `tenant_not_found`; a
 * tenant over its rate limit gets 429 with `Retry-After` (tenant administration is never limited).
 * @param directory - the tenants
 * @param options - the global key
 */
export function resolveTenant(directory: TenantDirectory, options: AuthOptions): MiddlewareHandler {
  // The global key's digest once; a presented key is hashed once per request, for both comparisons.
  const globalDigest = options.apiKey ? digest(options.apiKey) : null;
  return async (c, next) => {
    const presented = presentedKey((name) => c.req.header(name));
    const named = c.req.header("x-tenant-id")?.trim() || DEFAULT_TENANT;
    const presentedDigest = presented === undefined ? null : digest(presented);
    let access: Access;
    if (presentedDigest && globalDigest && timingSafeEqual(presentedDigest, globalDigest)) {
      access = { tenant: named, scope: "global", keyId: null };
    } else {
      const owner = presentedDigest ? directory.keyOf(presentedDigest) : null;
      if (owner) access = { tenant: owner.tenant, scope: "tenant", keyId: owner.keyId };
      else {
        if (presented !== undefined && (options.apiKey || directory.hasTenantKeys))
          throw new HttpError(401, "unauthorized", MISSING_KEY);
        access = { tenant: named, scope: "public", keyId: null };
      }
    }
    if (!directory.spec(access.tenant))
      throw new HttpError(
        404,
        "tenant_not_found",
        `no tenant ${JSON.stringify(access.tenant)} (X-Tenant-Id)`,
        {
          field: "X-Tenant-Id",
        },
      );
    if (!c.req.path.includes("/api/tenants")) {
      const wait = directory.take(access.tenant);
      if (wait !== null) {
        const seconds = Math.max(1, Math.ceil(wait));
        throw new HttpError(
          429,
          "rate_limited",
          `tenant ${access.tenant} is over its rate limit; retry in ${seconds} s`,
          { retry_after: seconds },
          { "retry-after": String(seconds) },
        );
      }
    }
    c.set("access", access);
    try {
      c.set("tenant", await directory.components(access.tenant));
    } catch (error) {
      throw new HttpError(
        503,
        "store_unavailable",
        `tenant ${access.tenant}'s stores cannot be opened: ${String(error)}`,
        {
          store: "tenant",
        },
      );
    }
    return next();
  };
}

/**
 * Whether a key-less request may pass a guarded route: only in dev mode with no key configured at all.
 * @throws HttpError 401 when a key is configured, 503 when none is and the service is not in dev mode
 */
function allowKeyless(options: AuthOptions, tenantKeys: boolean): void {
  if (options.apiKey || tenantKeys) throw new HttpError(401, "unauthorized", MISSING_KEY);
  if (options.dev) return;
  throw new HttpError(503, "auth_not_configured", "server auth not configured (RECSYS_API_KEY unset)");
}

/**
 * The guard of a route: `write` routes (ingest, usermodel, operator look-ups) always need a key when one
 * is configured — the global key or the request's tenant's; `serve` routes (recommend) only with
 * `servingRequiresKey`. Without any configured key the guard fails closed (503) unless in dev mode, and a
 * presented key is refused (401).
 * @param kind - `write` or `serve`
 * @param options - key, serving flag, dev mode
 * @param directory - the tenants (whether any has a key)
 */
export function guard(
  kind: "write" | "serve",
  options: AuthOptions,
  directory?: TenantDirectory,
): MiddlewareHandler {
  return async (c, next) => {
    if (kind === "serve" && !options.servingRequiresKey) return next();
    // resolveTenant has already refused a key that matches no configured key.
    const scope = c.get("access")?.scope;
    if (scope === "global" || scope === "tenant") return next();
    if (presentedKey((name) => c.req.header(name)) !== undefined)
      throw new HttpError(401, "unauthorized", "a key was given, but no key is configured");
    allowKeyless(options, directory?.hasTenantKeys ?? false);
    return next();
  };
}

/**
 * The guard of tenant administration: the global key only (a tenant's key is refused with 403); in dev
 * mode with no key configured at all, open.
 * @param options - the global key, dev mode
 * @param directory - the tenants
 */
export function adminGuard(options: AuthOptions, directory: TenantDirectory): MiddlewareHandler {
  return async (c, next) => {
    const scope = c.get("access")?.scope;
    if (scope === "global") return next();
    if (scope === "tenant") throw new HttpError(403, "forbidden", "a tenant's key cannot administer tenants");
    if (presentedKey((name) => c.req.header(name)) !== undefined)
      throw new HttpError(401, "unauthorized", MISSING_KEY);
    allowKeyless(options, directory.hasTenantKeys);
    return next();
  };
}

/**
 * Whether a request comes from an operator: it presents the API key or its tenant's key (or, with no key
 * configured, the service runs in dev mode). Operators' look-ups may ask not to be recorded (`X-Recsys-Operator: 1`).
 * @param header - reads a request header
 * @param options - the auth settings
 */
export function isOperator(
  header: (name: string) => string | undefined,
  options: AuthOptions,
  access?: Access,
): boolean {
  if (access && access.scope !== "public") return true;
  if (!options.apiKey) return options.dev === true;
  const presented = presentedKey(header);
  return presented !== undefined && safeEqual(presented, options.apiKey);
}
