import { DEFAULT_TENANT, type TenantSpec } from "@recsys/ports";
import type { Environment } from "./config.js";

/**
 * A tenant with nothing set: the deployment's catalogue, the tenant's id as its Redis prefix, no settings,
 * keys or rate limit.
 * @param id - the tenant's id
 */
export function emptyTenant(id: string): TenantSpec {
  return {
    id,
    name: "",
    collection: null,
    catalog: null,
    redis_prefix: null,
    settings: {},
    rate_limit: null,
    keys: [],
  };
}

/**
 * The Redis prefix of a tenant: its `redis_prefix`, else its id; the default tenant's falls back to the
 * deployment's `RECSYS_REDIS_PREFIX` (default `default`), so a deployment without tenants keeps its keys.
 * @param env - the deployment's environment
 * @param spec - the tenant
 */
export function tenantPrefix(env: Environment, spec: TenantSpec): string {
  if (spec.redis_prefix) return spec.redis_prefix;
  if (spec.id === DEFAULT_TENANT) return env.RECSYS_REDIS_PREFIX?.trim() || "default";
  return spec.id;
}

/**
 * The environment a tenant's stores are built from (docs/behaviour.md §7.7): the deployment's, with the
 * tenant's Redis prefix (`RECSYS_REDIS_PREFIX`), Qdrant collection (`QDRANT_COLLECTION`) and embedded
 * catalogue (`RECSYS_CATALOG`) when it sets them, and its own durable log directory
 * (`RECSYS_EVENT_LOG_DIR/<id>`; the default tenant keeps the directory itself); `RECSYS_BANDIT_STATE` seeds
 * the default tenant only. Each adapter then reads
 * its own variables as it always does.
 * @param env - the deployment's environment
 * @param spec - the tenant
 */
export function tenantEnvironment(env: Environment, spec: TenantSpec): Environment {
  const next: Record<string, string | undefined> = { ...env, RECSYS_REDIS_PREFIX: tenantPrefix(env, spec) };
  if (spec.collection) next.QDRANT_COLLECTION = spec.collection;
  if (spec.catalog) next.RECSYS_CATALOG = spec.catalog;
  if (spec.id !== DEFAULT_TENANT) {
    const logDir = env.RECSYS_EVENT_LOG_DIR?.trim();
    if (logDir) next.RECSYS_EVENT_LOG_DIR = `${logDir.replace(/\/+$/, "")}/${spec.id}`;
    // The deployment's bandit state file seeds the default tenant only.
    delete next.RECSYS_BANDIT_STATE;
  }
  return next;
}
