import * as v from "valibot";
import { type ParseResult, safeParseWith } from "./issues.js";

/** Tenant ids and Redis prefixes: a letter or digit, then letters, digits, `_` or `-` (at most 64). */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The tenant every request without a tenant belongs to; it always exists. */
export const DEFAULT_TENANT = "default";

/**
 * Schema of a tenant id or Redis prefix ({@link TENANT_ID_PATTERN}), its message naming the field.
 * @param what - the field's name, for the message
 */
export const tenantIdentifier = (what: string) =>
  v.pipe(
    v.string(),
    v.regex(
      TENANT_ID_PATTERN,
      `${what} must be 1–64 letters, digits, _ or - (starting with a letter or digit)`,
    ),
  );

/** Schema of one API key of a tenant, as stored: never the key itself, only its SHA-256. */
export const TenantKeySchema = v.strictObject({
  /** A short public id of the key (the first 12 hex digits of its SHA-256), to name it when revoking. */
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{12}$/, "id must be 12 lower-case hex digits")),
  /** SHA-256 of the key, 64 lower-case hex digits. */
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lower-case hex digits")),
  /** When the key was added, ISO 8601 UTC. */
  created_at: v.string(),
});

/** One API key of a tenant, as stored. */
export type TenantKey = v.InferOutput<typeof TenantKeySchema>;

/** Schema of a tenant's rate limit: a token bucket of `burst` requests refilled at `requests_per_second`. */
export const RateLimitSchema = v.strictObject({
  /** Sustained requests per second (per service process). */
  requests_per_second: v.pipe(v.number(), v.finite(), v.minValue(0.001, "requests_per_second must be > 0")),
  /** Requests allowed at once above the sustained rate (default: one second's worth, at least 1). */
  burst: v.optional(
    v.pipe(v.number(), v.integer("burst must be an integer"), v.minValue(1, "burst must be ≥ 1")),
  ),
});

/** A tenant's rate limit. */
export type RateLimit = v.InferOutput<typeof RateLimitSchema>;

/**
 * Schema of a tenant (docs/behaviour.md §7.7): an isolated slice of one deployment with its own catalogue,
 * Redis prefix, settings, keys and rate limit. `null` fields fall back to the deployment's: the collection
 * or catalogue of the environment, and the tenant's id as its Redis prefix.
 */
export const TenantSpecSchema = v.strictObject({
  /** The tenant's id, as sent in `X-Tenant-Id`. */
  id: tenantIdentifier("id"),
  /** A display name (default: the id). */
  name: v.optional(v.pipe(v.string(), v.maxLength(200, "name: at most 200 characters")), ""),
  /** The Qdrant collection of its catalogue (null: the deployment's `QDRANT_COLLECTION`). */
  collection: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(255))), null),
  /** The embedded catalogue file, without Qdrant (null: the deployment's `RECSYS_CATALOG`). */
  catalog: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1))), null),
  /** The Redis key prefix (null: the tenant's id; the default tenant: `RECSYS_REDIS_PREFIX`). */
  redis_prefix: v.optional(v.nullable(tenantIdentifier("redis_prefix")), null),
  /** Settings applied over the deployment's start-up settings (partial, validated when resolved). */
  settings: v.optional(v.record(v.string(), v.unknown()), {}),
  /** The tenant's rate limit, or null for none. */
  rate_limit: v.optional(v.nullable(RateLimitSchema), null),
  /** The tenant's API keys, hashed. */
  keys: v.optional(v.array(TenantKeySchema), []),
});

/** A tenant. */
export type TenantSpec = v.InferOutput<typeof TenantSpecSchema>;

/**
 * Validate a tenant spec.
 * @param value - parsed JSON
 */
export function safeParseTenantSpec(value: unknown): ParseResult<TenantSpec> {
  return safeParseWith(TenantSpecSchema, value, "tenant");
}
