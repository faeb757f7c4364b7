import type { RecConfigInput } from "@recsys/ports";
import { buildComponents, type Components, type SharedResources, sharedResources } from "./components.js";
import type { Logger } from "./logger.js";
import { bootstrapTenants, TenantDirectory, tenantStoreFromEnv } from "./tenants.js";

/** Everything one service process runs on: the default tenant's components and the tenants. */
export interface Service {
  /** The default tenant's components (built from the deployment's environment). */
  readonly components: Components;
  /** Every tenant. */
  readonly tenants: TenantDirectory;
  /** What the tenants share (one Redis connection). */
  readonly shared: SharedResources;
  /** Close the tenants, the components and the shared connection. */
  close(): Promise<void>;
}

/** Options of {@link buildService}. */
export interface ServiceOptions {
  /** An explicit partial config, under each tenant's settings. */
  readonly cfg?: RecConfigInput;
  /** The stores' clock (default `Date.now`). */
  readonly clock?: () => number;
  /** Where failed tenant builds are reported. */
  readonly log?: Logger;
  /** How often the registry is re-read (default 1000 ms). */
  readonly pollMs?: number;
}

/**
 * Build the service from the environment: the default tenant's stores (each adapter reads its own
 * variables), the tenant registry (Redis when the stores are, else `RECSYS_TENANT_STORE`, else memory),
 * the tenants of the bootstrap file `RECSYS_TENANTS` registered when absent, and the directory that
 * builds every other tenant's components on first use.
 * @param env - the environment
 * @param options - config, clock, log, poll interval
 * @throws ConfigError naming a variable whose value is invalid
 */
export async function buildService(
  env: Record<string, string | undefined>,
  options: ServiceOptions = {},
): Promise<Service> {
  const shared = sharedResources();
  const clock = options.clock ?? Date.now;
  const components = await buildComponents(options.cfg ?? {}, env, { shared, clock });
  const closeShared = async () => {
    await shared.redisClient?.quit().catch(() => shared.redisClient?.disconnect());
  };
  try {
    const store = await tenantStoreFromEnv(env, shared);
    const bootstrap = env.RECSYS_TENANTS?.trim();
    if (bootstrap) await bootstrapTenants(store, bootstrap, clock());
    const tenants = await TenantDirectory.open({
      store,
      env,
      ...(options.cfg ? { cfg: options.cfg } : {}),
      defaultComponents: components,
      shared,
      clock,
      ...(options.log ? { log: options.log } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
    return {
      components,
      tenants,
      shared,
      close: async () => {
        await tenants.close();
        await components.close();
        await closeShared();
      },
    };
  } catch (error) {
    await components.close();
    await closeShared();
    throw error;
  }
}
