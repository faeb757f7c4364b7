import { safeParseTenantSpec, type TenantRegistry, type TenantSpec, type TenantStore } from "@recsys/ports";
import { optimisticChange } from "./optimistic.js";
import { guarded, type RedisClient } from "./redis-stores.js";

/** Options of {@link RedisTenantStore}. */
export interface RedisTenantStoreOptions {
  /** The ioredis client; the application owns its lifecycle. */
  readonly client: RedisClient;
  /** The registry's key (default `recsys:tenants`), outside every tenant's prefix. */
  readonly key?: string;
}

/** Parse the hash's tenant fields; a field that is not a valid spec is skipped (and reported). */
function tenantsOf(hash: Record<string, string>): TenantSpec[] {
  const tenants: TenantSpec[] = [];
  for (const [field, text] of Object.entries(hash)) {
    if (!field.startsWith("t:")) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const spec = safeParseTenantSpec(value);
    if (spec.success) tenants.push(spec.output);
    else
      process.stderr.write(
        `${JSON.stringify({ ts: new Date().toISOString(), level: "warn", msg: "unreadable tenant spec skipped", field, problem: spec.message })}\n`,
      );
  }
  return tenants.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The tenant registry on Redis, shared by every replica (docs/behaviour.md §7.7): one hash (default
 * `recsys:tenants`, outside every tenant's prefix) with a `version` field and one field `t:{id}` per tenant
 * (its spec as JSON, keys hashed). A change is optimistic (WATCH, read, MULTI/EXEC); one key, so it works
 * on Redis Cluster.
 */
export class RedisTenantStore implements TenantStore {
  readonly #client: RedisClient;
  /** The hash's key. */
  readonly key: string;

  /** @param options - client, key */
  constructor(options: RedisTenantStoreOptions) {
    this.#client = options.client;
    this.key = options.key ?? "recsys:tenants";
  }

  async load(): Promise<TenantRegistry> {
    const hash = await guarded("tenants.load", () => this.#client.hgetall(this.key));
    return { version: Number(hash.version ?? 0), tenants: tenantsOf(hash) };
  }

  async version(): Promise<number> {
    return Number((await guarded("tenants.version", () => this.#client.hget(this.key, "version"))) ?? 0);
  }

  update(
    id: string,
    change: (current: TenantSpec | null, others: readonly TenantSpec[]) => TenantSpec | null,
  ): Promise<number> {
    return optimisticChange(this.#client, this.key, "tenants.update", async (connection) => {
      const hash = await guarded("tenants.update", () => connection.hgetall(this.key));
      const tenants = tenantsOf(hash);
      const current = tenants.find((t) => t.id === id) ?? null;
      const next = change(
        current,
        tenants.filter((t) => t.id !== id),
      );
      const version = Number(hash.version ?? 0);
      if (next === null && current === null) return { write: () => {}, result: version };
      if (next !== null && next.id !== id)
        throw new Error(`a change of tenant ${id} returned tenant ${next.id}`);
      return {
        write: (multi) => {
          if (next === null) multi.hdel(this.key, `t:${id}`);
          else multi.hset(this.key, `t:${id}`, JSON.stringify(next));
          multi.hset(this.key, "version", version + 1);
        },
        result: version + 1,
      };
    });
  }

  async ping(): Promise<void> {
    await guarded("ping", () => this.#client.ping());
  }
}
