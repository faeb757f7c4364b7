import type { TenantSpec } from "../schemas/tenant.js";

/** The registry's tenants and its version. */
export interface TenantRegistry {
  /** Counts the changes made: 0 before the first. */
  readonly version: number;
  /** Every registered tenant, by id. */
  readonly tenants: readonly TenantSpec[];
}

/**
 * Where the tenant registry lives, shared by every replica: the tenants with a version, changed only by
 * {@link TenantStore.update} (atomic: concurrent changes are never lost). Replicas poll
 * {@link TenantStore.version} and re-read the registry when it moved.
 */
export interface TenantStore {
  /** Every tenant and the version. */
  load(): Promise<TenantRegistry>;
  /** The version only (cheap: replicas poll it). */
  version(): Promise<number>;
  /**
   * Change one tenant atomically: `change` gets its current spec (null when absent) and the other tenants,
   * and returns the next spec, or null to delete it (or throws to refuse, changing nothing); it may be
   * called again when another change raced it.
   * @param id - the tenant's id
   * @param change - current spec → next spec or null
   * @returns the new version
   */
  update(
    id: string,
    change: (current: TenantSpec | null, others: readonly TenantSpec[]) => TenantSpec | null,
  ): Promise<number>;
  /** Check the store is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
