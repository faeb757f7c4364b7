import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CatalogPoint, generateCatalog, generateEvents, serializeCatalog } from "@recsys/fakes";
import type { Hono } from "hono";
import { createApp } from "../src/app.js";
import { buildService, type Service } from "../src/service.js";

/** The deployment's key in the tenant tests. */
export const GLOBAL_KEY = "global-key-0123456789abcdef";

/** A fixed clock: generated events end just before it, so none falls out of the window. */
export const NOW = Date.parse("2026-06-10T12:00:00Z");

/**
 * A catalogue of its own for a tenant: the generated one with ids moved by `offset`, so no item id is
 * shared between tenants (a read that shows another tenant's item is caught).
 */
export function tenantCatalog(offset: number, seed: number, items = 60): CatalogPoint[] {
  return generateCatalog({ items, dimension: 16, seed, themes: 6 }).map((point) => ({
    ...point,
    id: String(Number(point.id) + offset),
  }));
}

/** Write catalogues to files in a new temporary directory; returns their paths. */
export function writeCatalogs(catalogs: Record<string, readonly CatalogPoint[]>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "recsys-tenant-catalogs-"));
  return Object.fromEntries(
    Object.entries(catalogs).map(([name, points]) => {
      const path = join(dir, `${name}.jsonl`);
      writeFileSync(path, serializeCatalog(points));
      return [name, path];
    }),
  );
}

/** Generated RudderStack traffic over a tenant's catalogue; user ids are shared between tenants. */
export function tenantEvents(catalog: readonly CatalogPoint[], seed: number, users = 4, perUser = 12) {
  return generateEvents({ catalog, users, eventsPerUser: perUser, endMs: NOW - 60_000, seed });
}

/** A service built as the server builds it (tenants included), with its app. */
export interface TenantService {
  readonly service: Service;
  readonly app: Hono;
  /** Call the API: `key` null sends no key; `tenant` sets X-Tenant-Id. */
  call(
    method: string,
    path: string,
    options?: { key?: string | null; tenant?: string; body?: unknown },
  ): Promise<{ status: number; headers: Headers; json: Record<string, unknown> & { result?: unknown } }>;
  close(): Promise<void>;
}

/**
 * Build the service from an environment (as `server.ts` does) with the global key, and its app.
 * @param env - the environment (REDIS_URL for Redis; nothing for the embedded default)
 */
export async function tenantService(env: Record<string, string> = {}, pollMs = 1000): Promise<TenantService> {
  const service = await buildService(
    { RECSYS_REDIS_TIMEOUT_MS: "30000", ...env },
    { clock: () => NOW, pollMs },
  );
  const app = createApp(service.components, {
    logger: () => {},
    apiKey: GLOBAL_KEY,
    tenants: service.tenants,
    clock: () => NOW,
  });
  return {
    service,
    app,
    async call(method, path, options = {}) {
      const key = options.key === undefined ? GLOBAL_KEY : options.key;
      const res = await app.request(`/recsys/api${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          ...(key ? { "x-api-key": key } : {}),
          ...(options.tenant ? { "x-tenant-id": options.tenant } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : {} };
    },
    close: () => service.close(),
  };
}
