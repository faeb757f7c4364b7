import { emptyTenant } from "@recsys/core";
import type { TenantSpec, TenantStore } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { type StoreContractOptions, useStore } from "./feedback-contract.js";

const spec = (id: string, extra: Partial<TenantSpec> = {}): TenantSpec => ({ ...emptyTenant(id), ...extra });

/**
 * The behaviour every {@link TenantStore} must have: a versioned registry changed one tenant at a time,
 * atomically, so concurrent changes (two replicas minting keys for one tenant) are never lost. Registers a
 * `describe` block; the store must start empty.
 * @param options - name, factory and clean-up
 */
export function describeTenantStoreContract(options: StoreContractOptions<TenantStore>): void {
  describe(`TenantStore contract: ${options.name}`, () => {
    const store = useStore(options);

    it("starts empty at version 0", async () => {
      await expect(store().ping()).resolves.toBeUndefined();
      expect(await store().load()).toEqual({ version: 0, tenants: [] });
      expect(await store().version()).toBe(0);
    });

    it("creates, replaces and deletes one tenant at a time, counting changes", async () => {
      const v1 = await store().update("alpha", (current, others) => {
        expect(current).toBeNull();
        expect(others).toEqual([]);
        return spec("alpha", { name: "Alpha", settings: { mmr_lambda: 0.5 } });
      });
      expect(v1).toBe(1);
      const v2 = await store().update("beta", () => spec("beta", { redis_prefix: "b" }));
      expect(v2).toBe(2);
      await store().update("alpha", (current, others) => {
        expect(current).toEqual(spec("alpha", { name: "Alpha", settings: { mmr_lambda: 0.5 } }));
        expect(others.map((t) => t.id)).toEqual(["beta"]);
        return { ...current!, rate_limit: { requests_per_second: 5, burst: 10 } };
      });
      const registry = await store().load();
      expect(registry.version).toBe(3);
      expect([...registry.tenants].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        spec("alpha", {
          name: "Alpha",
          settings: { mmr_lambda: 0.5 },
          rate_limit: { requests_per_second: 5, burst: 10 },
        }),
        spec("beta", { redis_prefix: "b" }),
      ]);
      expect(await store().update("beta", () => null)).toBe(4);
      // Deleting what is not there changes nothing.
      expect(await store().update("gamma", () => null)).toBe(4);
      expect((await store().load()).tenants.map((t) => t.id)).toEqual(["alpha"]);
    });

    it("a refusal changes nothing", async () => {
      const before = await store().load();
      await expect(
        store().update("alpha", () => {
          throw new Error("refused");
        }),
      ).rejects.toThrow("refused");
      expect(await store().load()).toEqual(before);
    });

    it("never loses a change made concurrently", async () => {
      const before = await store().version();
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store().update("alpha", (current) => ({
            ...current!,
            keys: [
              ...current!.keys,
              { id: `00000000000${i}`, sha256: String(i).repeat(64), created_at: "2026-06-10T10:00:00.000Z" },
            ],
          })),
        ),
      );
      const after = await store().load();
      expect(after.version).toBe(before + 8);
      const alpha = after.tenants.find((t) => t.id === "alpha")!;
      expect(alpha.keys.map((k) => k.id).sort()).toEqual(
        Array.from({ length: 8 }, (_, i) => `00000000000${i}`),
      );
    });
  });
}
