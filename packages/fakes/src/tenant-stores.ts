import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  ConfigError,
  StoreUnavailableError,
  safeParseTenantSpec,
  type TenantRegistry,
  type TenantSpec,
  type TenantStore,
} from "@recsys/ports";

/** Apply one change to a registry held as a map; returns whether it changed anything. */
function applyChange(
  tenants: Map<string, TenantSpec>,
  id: string,
  change: (current: TenantSpec | null, others: readonly TenantSpec[]) => TenantSpec | null,
): boolean {
  const current = tenants.get(id) ?? null;
  const others = [...tenants.values()].filter((t) => t.id !== id);
  const next = change(current === null ? null : structuredClone(current), structuredClone(others));
  if (next === null) return tenants.delete(id);
  if (next.id !== id) throw new Error(`a change of tenant ${id} returned tenant ${next.id}`);
  tenants.set(id, structuredClone(next));
  return true;
}

/** The tenant registry in memory (the embedded default without a registry file): one process. */
export class InMemoryTenantStore implements TenantStore {
  readonly #tenants = new Map<string, TenantSpec>();
  #version = 0;

  async load(): Promise<TenantRegistry> {
    return { version: this.#version, tenants: structuredClone([...this.#tenants.values()]) };
  }

  async version(): Promise<number> {
    return this.#version;
  }

  async update(
    id: string,
    change: (current: TenantSpec | null, others: readonly TenantSpec[]) => TenantSpec | null,
  ): Promise<number> {
    if (applyChange(this.#tenants, id, change)) this.#version++;
    return this.#version;
  }

  async ping(): Promise<void> {}
}

/** The registry file's shape: the version and the tenants. */
interface RegistryFile {
  readonly version: number;
  readonly tenants: readonly unknown[];
}

/**
 * The tenant registry in a JSON file (`RECSYS_TENANT_STORE`): `{"version": n, "tenants": [spec, …]}`,
 * re-read when its version is asked for and written whole to a temporary file renamed over it, so a reader
 * never sees half a registry. Changes within one process are serialised; for several processes use Redis.
 */
export class FileTenantStore implements TenantStore {
  readonly #path: string;
  #queue: Promise<unknown> = Promise.resolve();

  /** @param path - the registry file (created on the first change) */
  constructor(path: string) {
    this.#path = path;
  }

  async #read(): Promise<{ version: number; tenants: Map<string, TenantSpec> }> {
    let text: string;
    try {
      text = await readFile(this.#path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 0, tenants: new Map() };
      throw new StoreUnavailableError(
        "tenant_file",
        `cannot read ${this.#path}: ${(error as Error).message}`,
      );
    }
    let parsed: RegistryFile;
    try {
      parsed = JSON.parse(text) as RegistryFile;
    } catch (error) {
      throw new ConfigError("RECSYS_TENANT_STORE", `${this.#path}: not JSON (${(error as Error).message})`);
    }
    const tenants = new Map<string, TenantSpec>();
    for (const [index, value] of (parsed.tenants ?? []).entries()) {
      const spec = safeParseTenantSpec(value);
      if (!spec.success)
        throw new ConfigError("RECSYS_TENANT_STORE", `${this.#path}: tenants.${index}.${spec.message}`);
      tenants.set(spec.output.id, spec.output);
    }
    return { version: Number(parsed.version ?? 0), tenants };
  }

  async load(): Promise<TenantRegistry> {
    const { version, tenants } = await this.#read();
    return { version, tenants: [...tenants.values()] };
  }

  async version(): Promise<number> {
    return (await this.#read()).version;
  }

  update(
    id: string,
    change: (current: TenantSpec | null, others: readonly TenantSpec[]) => TenantSpec | null,
  ): Promise<number> {
    const run = this.#queue.then(async () => {
      const registry = await this.#read();
      if (!applyChange(registry.tenants, id, change)) return registry.version;
      const version = registry.version + 1;
      const body: RegistryFile = { version, tenants: [...registry.tenants.values()] };
      await mkdir(dirname(this.#path), { recursive: true });
      const temporary = `${this.#path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, this.#path);
      return version;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async ping(): Promise<void> {
    await this.#read();
  }
}

/** One tenant of a bootstrap file: its spec, and the keys it gives in plain text (to be hashed). */
export interface BootstrapTenant {
  readonly spec: TenantSpec;
  readonly plainKeys: readonly string[];
}

/**
 * Read a tenants bootstrap file (`RECSYS_TENANTS`): `{"tenants": [spec, …]}`, each spec as stored
 * (docs/behaviour.md §7.7) with `id` (or the reference's `tenant_id`) and its keys either hashed (`keys`)
 * or in plain text (`api_keys`, at least 16 characters each).
 * @param text - the file's text
 * @param source - names the file in errors
 * @throws ConfigError naming `RECSYS_TENANTS` and the field at fault
 */
export function parseTenantBootstrap(text: string, source: string): BootstrapTenant[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError("RECSYS_TENANTS", `${source}: not JSON (${(error as Error).message})`);
  }
  const list = (parsed as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(list)) throw new ConfigError("RECSYS_TENANTS", `${source}: tenants: expected an array`);
  return list.map((entry, index) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw new ConfigError("RECSYS_TENANTS", `${source}: tenants.${index}: expected an object`);
    const { api_keys: plain = [], tenant_id: reference, ...rest } = entry as Record<string, unknown>;
    if (!Array.isArray(plain) || plain.some((key) => typeof key !== "string" || key.length < 16))
      throw new ConfigError(
        "RECSYS_TENANTS",
        `${source}: tenants.${index}.api_keys: each key must be a string of at least 16 characters`,
      );
    const spec = safeParseTenantSpec({ ...rest, id: rest.id ?? reference });
    if (!spec.success) throw new ConfigError("RECSYS_TENANTS", `${source}: tenants.${index}.${spec.message}`);
    return { spec: spec.output, plainKeys: plain as string[] };
  });
}
