import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Environment, emptyTenant, tenantEnvironment, tenantPrefix } from "@recsys/core";
import { deepMerge } from "@recsys/core/config";
import { InMemoryTenantStore, parseTenantBootstrap } from "@recsys/fakes";
import {
  ConfigError,
  DEFAULT_TENANT,
  type RecConfigInput,
  type TenantKey,
  type TenantSpec,
  type TenantStore,
} from "@recsys/ports";
import { type BuildOptions, buildComponents, type Components, type SharedResources } from "./components.js";
import type { Logger } from "./logger.js";

/** Who a request acts as: `global` (the deployment's key), `tenant` (a tenant's key) or `public` (none). */
export type Scope = "global" | "tenant" | "public";

/** A request's tenant and the authority it presented. */
export interface Access {
  /** The tenant's id. */
  readonly tenant: string;
  /** The scope of the key presented. */
  readonly scope: Scope;
  /** The id of the tenant key presented, or null. */
  readonly keyId: string | null;
}

/** SHA-256 of a key, lower-case hex. */
export function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** A new API key: 32 random bytes, URL-safe base64 (43 characters), as the reference mints them. */
export function mintKey(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * A stored key for a plaintext key: its SHA-256 and a random public id (not derived from the key).
 * @param key - the plaintext key
 * @param now - the time it was added
 */
export function storedKey(key: string, now: number): TenantKey {
  return {
    id: randomBytes(6).toString("hex"),
    sha256: keyHash(key),
    created_at: new Date(now).toISOString(),
  };
}

/** A token bucket of one tenant (per process). */
interface Bucket {
  tokens: number;
  at: number;
  readonly rate: number;
  readonly burst: number;
}

/** What decides whether a tenant's components must be rebuilt: everything its stores and settings read. */
function fingerprint(spec: TenantSpec): string {
  return JSON.stringify([spec.collection, spec.catalog, spec.redis_prefix, spec.settings]);
}

interface Built {
  readonly fingerprint: string;
  readonly components: Promise<Components>;
}

/** Options of {@link TenantDirectory.open}. */
export interface TenantDirectoryOptions {
  /** The registry. */
  readonly store: TenantStore;
  /** The deployment's environment: each tenant's is derived from it (`tenantEnvironment`). */
  readonly env: Environment;
  /** The explicit partial config the deployment was started with (under each tenant's settings). */
  readonly cfg?: RecConfigInput;
  /** The default tenant's components as built at start from the deployment's environment. */
  readonly defaultComponents: Components;
  /** The resources tenants share (one Redis connection, each catalogue loaded once). */
  readonly shared: SharedResources;
  /** The clock of the stores. */
  readonly clock?: () => number;
  /** Called with every tenant's components once built (the app times their store calls). */
  readonly onBuilt?: (components: Components, tenant: string) => void;
  /** How often the registry's version is read (default 1000 ms); 0: never (tests call `refresh`). */
  readonly pollMs?: number;
  /** Where failed rebuilds are reported. */
  readonly log?: Logger;
}

/**
 * The tenants of one service process (docs/behaviour.md §7.7): the registry as last read (polled every
 * second, so every replica sees a change within about a second), the key index (SHA-256 → tenant, compared
 * in constant time), each tenant's components built on first use and rebuilt when its spec changes, and
 * the per-tenant rate limits.
 */
export class TenantDirectory {
  readonly store: TenantStore;
  readonly env: Environment;
  readonly cfg: RecConfigInput;
  readonly #shared: SharedResources;
  readonly #clock: () => number;
  readonly #observers: ((components: Components, tenant: string) => void)[] = [];
  readonly #log: Logger | undefined;
  #version = -1;
  #specs = new Map<string, TenantSpec>();
  #registered = new Set<string>();
  #keys = new Map<string, { tenant: string; key: TenantKey; hash: Buffer }>();
  readonly #built = new Map<string, Built>();
  readonly #buckets = new Map<string, Bucket>();
  /** Components waiting out their grace period before they are closed. */
  readonly #retired = new Map<ReturnType<typeof setTimeout>, Promise<Components>>();
  readonly #original: Components;
  #timer: ReturnType<typeof setInterval> | undefined;
  #refreshing: Promise<void> | null = null;
  #closed = false;

  private constructor(options: TenantDirectoryOptions) {
    this.store = options.store;
    this.env = options.env;
    this.cfg = options.cfg ?? {};
    this.#shared = options.shared;
    this.#clock = options.clock ?? Date.now;
    if (options.onBuilt) this.#observers.push(options.onBuilt);
    this.#log = options.log;
    this.#original = options.defaultComponents;
    this.#built.set(DEFAULT_TENANT, {
      fingerprint: fingerprint(emptyTenant(DEFAULT_TENANT)),
      components: Promise.resolve(options.defaultComponents),
    });
  }

  /**
   * Read the registry and start polling it.
   * @param options - registry, environment, default components, shared resources
   */
  static async open(options: TenantDirectoryOptions): Promise<TenantDirectory> {
    const directory = new TenantDirectory(options);
    await directory.refresh(true);
    const pollMs = options.pollMs ?? 1000;
    if (pollMs > 0) {
      directory.#timer = setInterval(() => void directory.refresh().catch(() => {}), pollMs);
      directory.#timer.unref();
    }
    return directory;
  }

  /**
   * A directory with only the default tenant, over an in-memory registry (an app built from components
   * alone, as the tests and embedders do).
   * @param components - the default tenant's components
   */
  static single(components: Components): TenantDirectory {
    const directory = new TenantDirectory({
      store: new InMemoryTenantStore(),
      env: {},
      defaultComponents: components,
      shared: { catalogs: new Map() },
      clock: components.clock,
    });
    directory.#apply(0, []);
    return directory;
  }

  /** The default tenant's components as built at start (readiness, the process's description). */
  get defaultComponents(): Components {
    return this.#original;
  }

  /**
   * Re-read the registry when its version moved (every replica polls it once a second).
   * @param force - read even when the version did not move
   */
  refresh(force = false): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const version = await this.store.version();
        if (!force && version === this.#version) return;
        const registry = await this.store.load();
        this.#apply(registry.version, registry.tenants);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  #apply(version: number, tenants: readonly TenantSpec[]): void {
    const specs = new Map<string, TenantSpec>([[DEFAULT_TENANT, emptyTenant(DEFAULT_TENANT)]]);
    for (const spec of tenants) specs.set(spec.id, spec);
    const keys = new Map<string, { tenant: string; key: TenantKey; hash: Buffer }>();
    for (const spec of specs.values())
      for (const key of spec.keys)
        keys.set(key.sha256, { tenant: spec.id, key, hash: Buffer.from(key.sha256, "hex") });
    // A deleted tenant's components are closed once requests in flight are done; a changed one's are
    // rebuilt on next use (keeping their in-memory stores).
    for (const [id, built] of this.#built) {
      if (specs.has(id)) continue;
      this.#built.delete(id);
      this.#closeLater(built.components);
    }
    for (const id of this.#buckets.keys()) {
      const limit = specs.get(id)?.rate_limit;
      const bucket = this.#buckets.get(id)!;
      if (!limit || limit.requests_per_second !== bucket.rate || (limit.burst ?? null) !== bucket.burst)
        this.#buckets.delete(id);
    }
    this.#specs = specs;
    this.#registered = new Set(tenants.map((t) => t.id));
    this.#keys = keys;
    this.#version = version;
  }

  /** Close components after a grace period, so requests still using them finish. */
  #closeLater(components: Promise<Components>): void {
    const timer = setTimeout(() => {
      this.#retired.delete(timer);
      void components.then((c) => c.close()).catch(() => {});
    }, 5000);
    timer.unref();
    this.#retired.set(timer, components);
  }

  /** Build a tenant's components (from its old ones, when rebuilt) and remember them. */
  #start(spec: TenantSpec, old?: Promise<Components>): Promise<Components> {
    const components = (async () => {
      const previous = old ? await old.catch(() => undefined) : undefined;
      const next = await this.#build(spec, previous);
      if (old) this.#closeLater(old);
      return next;
    })();
    components.catch((error) => {
      this.#log?.({
        level: "error",
        msg: "could not build a tenant's components",
        tenant: spec.id,
        error: String(error),
      });
      if (this.#built.get(spec.id)?.components === components) this.#built.delete(spec.id);
    });
    this.#built.set(spec.id, { fingerprint: fingerprint(spec), components });
    return components;
  }

  async #build(spec: TenantSpec, reuse?: Components): Promise<Components> {
    const options: BuildOptions = {
      clock: this.#clock,
      shared: this.#shared,
      ...(reuse ? { reuse } : {}),
    };
    const components = await buildComponents(
      deepMerge(this.cfg as Record<string, unknown>, spec.settings) as RecConfigInput,
      tenantEnvironment(this.env, spec),
      options,
    );
    for (const observe of this.#observers) observe(components, spec.id);
    return components;
  }

  /**
   * Be told of every tenant's components this directory builds (not those it was opened with), those
   * built already included.
   * @param observer - called once per components built
   */
  observe(observer: (components: Components, tenant: string) => void): void {
    this.#observers.push(observer);
    for (const [id, built] of this.#built)
      void built.components.then((c) => c !== this.#original && observer(c, id)).catch(() => {});
  }

  /** The registry as last read: every tenant, the default one included. */
  tenants(): TenantSpec[] {
    return [...this.#specs.values()];
  }

  /**
   * A tenant's spec, or undefined when it is not registered.
   * @param id - the tenant's id
   */
  spec(id: string): TenantSpec | undefined {
    return this.#specs.get(id);
  }

  /**
   * Whether a tenant is in the registry (the default tenant exists without being registered).
   * @param id - the tenant's id
   */
  registered(id: string): boolean {
    return this.#registered.has(id);
  }

  /**
   * Delete a deleted tenant's data: every Redis key under its prefix (its in-memory stores went with it).
   * @param spec - the tenant as it was
   * @returns the number of Redis keys deleted
   */
  async purge(spec: TenantSpec): Promise<number> {
    const client = this.#shared.redisClient;
    if (!client) return 0;
    const pattern = `${this.prefixOf(spec).replace(/[*?[\]\\]/g, "\\$&")}:*`;
    const nodes = "nodes" in client && typeof client.nodes === "function" ? client.nodes("master") : [client];
    let deleted = 0;
    for (const node of nodes as import("ioredis").Redis[]) {
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        cursor = next;
        for (const key of keys) deleted += await node.unlink(key);
      } while (cursor !== "0");
    }
    return deleted;
  }

  /** The registry's version as last read. */
  get version(): number {
    return this.#version;
  }

  /** Whether any tenant has a key. */
  get hasTenantKeys(): boolean {
    return this.#keys.size > 0;
  }

  /**
   * The tenant a presented key belongs to: its SHA-256 looked up, then compared in constant time.
   * @param presented - the SHA-256 of the key the request presented
   */
  keyOf(presented: Buffer): { tenant: string; keyId: string } | null {
    const entry = this.#keys.get(presented.toString("hex"));
    if (!entry || !timingSafeEqual(entry.hash, presented)) return null;
    return { tenant: entry.tenant, keyId: entry.key.id };
  }

  /**
   * The Redis prefix a tenant's data lives under.
   * @param spec - the tenant
   */
  prefixOf(spec: TenantSpec): string {
    return tenantPrefix(this.env, spec);
  }

  /**
   * A tenant's components, built on first use (and rebuilt when its spec changed).
   * @param id - a registered tenant's id
   */
  components(id: string): Promise<Components> {
    const spec = this.#specs.get(id);
    if (!spec) return Promise.reject(new Error(`unknown tenant ${id}`));
    const built = this.#built.get(id);
    if (built && built.fingerprint === fingerprint(spec)) return built.components;
    return this.#start(spec, built?.components);
  }

  /**
   * Take one request from a tenant's rate limit.
   * @param id - the tenant's id
   * @returns null when allowed, else the seconds to wait before the next request is allowed
   */
  take(id: string): number | null {
    const limit = this.#specs.get(id)?.rate_limit;
    if (!limit) return null;
    const now = performance.now();
    let bucket = this.#buckets.get(id);
    if (!bucket) {
      const burst = limit.burst ?? Math.max(1, Math.ceil(limit.requests_per_second));
      bucket = { tokens: burst, at: now, rate: limit.requests_per_second, burst };
      this.#buckets.set(id, bucket);
    }
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.at) / 1000) * bucket.rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return (1 - bucket.tokens) / bucket.rate;
  }

  /** Every tenant's components built so far (the default tenant's first). */
  async built(): Promise<Map<string, Components>> {
    const entries = await Promise.all(
      [...this.#built].map(async ([id, built]) => [id, await built.components.catch(() => null)] as const),
    );
    return new Map(entries.filter((e): e is [string, Components] => e[1] !== null));
  }

  /**
   * Stop polling and close every tenant's components but those built at start (their owner closes them),
   * components waiting to be retired included.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const retiring = [...this.#retired.values()];
    for (const timer of this.#retired.keys()) clearTimeout(timer);
    this.#retired.clear();
    const all = [...(await this.built()).values()];
    for (const pending of retiring) {
      const components = await pending.catch(() => null);
      if (components && !all.includes(components)) all.push(components);
    }
    await Promise.all(all.filter((c) => c !== this.#original).map((c) => c.close().catch(() => {})));
  }
}

/** The environment variables of tenancy. */
export const TENANT_ENV_VARIABLES = ["RECSYS_TENANTS", "RECSYS_TENANT_STORE"] as const;

/**
 * The tenant registry chosen from the environment: on Redis (the hash `recsys:tenants`) when the
 * deployment runs on Redis, else the JSON file `RECSYS_TENANT_STORE` when set, else in memory.
 * @param env - the environment
 * @param shared - the process's shared resources (its Redis connection)
 */
export async function tenantStoreFromEnv(env: Environment, shared: SharedResources): Promise<TenantStore> {
  if (shared.redisClient) {
    const { RedisTenantStore } = await import("@recsys/adapters-redis");
    return new RedisTenantStore({ client: shared.redisClient });
  }
  const file = env.RECSYS_TENANT_STORE?.trim();
  if (file) {
    const { FileTenantStore } = await import("@recsys/fakes");
    return new FileTenantStore(file);
  }
  return new InMemoryTenantStore();
}

/**
 * Register the tenants of a bootstrap file (`RECSYS_TENANTS`): `{"tenants": [spec, …]}`, each spec as
 * stored (docs/behaviour.md §7.7) with `id` (or the reference's `tenant_id`), and its keys either hashed
 * (`keys`) or in plain text (`api_keys`, hashed here). A tenant already registered is left as it is, so
 * replicas starting together, or a restart, change nothing an operator changed since.
 * @param store - the registry
 * @param path - the bootstrap file
 * @param now - the time keys are stamped with
 * @throws ConfigError naming `RECSYS_TENANTS` and the field at fault
 */
export async function bootstrapTenants(store: TenantStore, path: string, now: number): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError("RECSYS_TENANTS", `cannot read ${path}: ${(error as Error).message}`);
  }
  let added = 0;
  for (const { spec, plainKeys } of parseTenantBootstrap(text, path)) {
    const keys = [...spec.keys, ...plainKeys.map((key) => storedKey(key, now))];
    let created = false;
    await store.update(spec.id, (current) => {
      if (current) return current;
      created = true;
      return { ...spec, keys };
    });
    if (created) added++;
  }
  return added;
}
