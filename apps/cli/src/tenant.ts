import { readFile } from "node:fs/promises";
import { type Environment, emptyTenant, tenantEnvironment } from "@recsys/core";
import { ConfigError, DEFAULT_TENANT, type TenantSpec } from "@recsys/ports";
import { CliError } from "./errors.js";

/** What a command needs of a tenant: its environment (prefix, collection, catalogue, log) and settings. */
export interface TenantScope {
  readonly spec: TenantSpec;
  /** The deployment's environment with the tenant's Redis prefix, collection and catalogue. */
  readonly env: Environment;
  /** The tenant's settings, under `--config`. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The tenant's catalogue file (or the deployment's `RECSYS_CATALOG`), if any. */
  readonly catalog: string | undefined;
}

/** The tenants of the registry the service uses: Redis, else `RECSYS_TENANT_STORE`, else `RECSYS_TENANTS`. */
async function registered(env: Environment): Promise<TenantSpec[]> {
  if (env.REDIS_URL?.trim()) {
    const { createRedisClient, RedisTenantStore, waitUntilReady } = await import("@recsys/adapters-redis");
    const client = createRedisClient(env.REDIS_URL.trim(), { commandTimeoutMs: 10_000 });
    client.on("error", () => {});
    try {
      if (!(await waitUntilReady(client, 5000)))
        throw new CliError(`cannot connect to Redis at ${env.REDIS_URL}`);
      return [...(await new RedisTenantStore({ client }).load()).tenants];
    } finally {
      client.disconnect();
    }
  }
  const { FileTenantStore, parseTenantBootstrap } = await import("@recsys/fakes");
  if (env.RECSYS_TENANT_STORE?.trim())
    return [...(await new FileTenantStore(env.RECSYS_TENANT_STORE.trim()).load()).tenants];
  const bootstrap = env.RECSYS_TENANTS?.trim();
  if (!bootstrap) return [];
  let text: string;
  try {
    text = await readFile(bootstrap, "utf8");
  } catch (error) {
    throw new CliError(
      `cannot read RECSYS_TENANTS file ${bootstrap} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  return parseTenantBootstrap(text, bootstrap).map((t) => t.spec);
}

/**
 * A tenant of the service's registry (docs/behaviour.md §7.7), as `--tenant ID` selects it: read from Redis
 * when `REDIS_URL` is set, else from `RECSYS_TENANT_STORE`, else from the bootstrap file `RECSYS_TENANTS`.
 * @param env - the environment (with `--redis` applied)
 * @param id - the tenant's id
 * @throws CliError when the tenant is not registered
 */
export async function tenantScope(env: Environment, id: string): Promise<TenantScope> {
  let tenants: TenantSpec[];
  try {
    tenants = await registered(env);
  } catch (error) {
    if (ConfigError.isInstance(error)) throw new CliError(error.message);
    throw error;
  }
  const spec = tenants.find((t) => t.id === id) ?? (id === DEFAULT_TENANT ? emptyTenant(id) : null);
  if (!spec) {
    const known = [DEFAULT_TENANT, ...tenants.map((t) => t.id).filter((t) => t !== DEFAULT_TENANT)];
    throw new CliError(`--tenant: no tenant ${JSON.stringify(id)} (registered: ${known.join(", ")})`);
  }
  const scoped = tenantEnvironment(env, spec);
  return { spec, env: scoped, settings: spec.settings, catalog: scoped.RECSYS_CATALOG?.trim() || undefined };
}
