import { emptyUserSignals, type UserModelStore, type UserSignals } from "@recsys/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** How to run the user-model-store contract against an implementation. */
export interface UserModelStoreContractOptions {
  /** Name shown in the test report. */
  readonly name: string;
  /** Create an empty store. */
  readonly create: () => Promise<UserModelStore>;
  /** Clean up after the suite. */
  readonly destroy?: (store: UserModelStore) => Promise<void>;
  /**
   * For a store that keeps vectors at a lower precision (float16, say): how far each component read back
   * may be from the one saved, as a fraction of its size plus an absolute amount (for values too small
   * for the format's normal range). Default: exactly. Every other field is always compared exactly.
   */
  readonly vectorError?: { readonly relative: number; readonly absolute: number };
}

/**
 * The behaviour every {@link UserModelStore} must have. Registers a `describe` block.
 * @param options - name, factory and clean-up
 */
export function describeUserModelStoreContract(options: UserModelStoreContractOptions): void {
  describe(`UserModelStore contract: ${options.name}`, () => {
    let store: UserModelStore;
    const run = `contract-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
    beforeAll(async () => {
      store = await options.create();
    });
    afterAll(async () => {
      if (store && options.destroy) await options.destroy(store);
    });

    const model = (userId: string): UserSignals => ({
      user_id: userId,
      positives: { "101": 0.7771434, "102": 0.5 },
      negatives: { "301": 0.3 },
      viewed: ["101", "102", "201"],
      recent_views: ["201", "101", "102"],
      tag_affinity: { "theme_what:forced labor": 1, "theme_what:workshops": 0.4 },
      tag_aversion: {},
      taste_vector: [0.6, 0.8, 0, -0.1234567890123],
      recency_vector: null,
      behavior: {
        n_views: 3,
        n_positive: 2,
        n_negative: 1,
        avg_dwell_ratio: 0.6667,
        completion_rate: 1,
        revisit_rate: 0,
        depth: 0.6667,
      },
      demographics: { age: 30, gender: "female", email_shared: "no" },
    });

    it("pings", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("returns null for an unknown user", async () => {
      expect(await store.getSignals(`${run}-nobody`)).toBeNull();
    });

    const tolerance = options.vectorError;
    /** `got` equals `saved`, vectors within the store's stated precision. */
    const expectSame = (got: UserSignals | null, saved: UserSignals) => {
      expect(got).not.toBeNull();
      const { taste_vector, recency_vector, ...rest } = got!;
      const { taste_vector: savedTaste, recency_vector: savedRecency, ...savedRest } = saved;
      expect(rest).toEqual(savedRest);
      for (const [read, written] of [
        [taste_vector, savedTaste],
        [recency_vector, savedRecency],
      ] as const) {
        if (written === null || tolerance === undefined) {
          expect(read).toEqual(written);
          continue;
        }
        expect(read).toHaveLength(written.length);
        read!.forEach((value, i) => {
          expect(Math.abs(value - written[i]!)).toBeLessThanOrEqual(
            Math.abs(written[i]!) * tolerance.relative + tolerance.absolute,
          );
        });
      }
    };

    it(
      tolerance === undefined
        ? "returns exactly what was saved, as a copy"
        : "returns what was saved, as a copy (vectors within the stated precision)",
      async () => {
        const saved = model(`${run}-u1`);
        await store.saveSignals(saved);
        const got = await store.getSignals(saved.user_id);
        expectSame(got, saved);
        expect(got).not.toBe(saved);
      },
    );

    it("hands out a frozen model, and a new one once the model is saved again", async () => {
      const id = `${run}-frozen`;
      const saved = model(id);
      await store.saveSignals(saved);
      expect(Object.isFrozen(saved)).toBe(false); // what the caller saved stays the caller's
      const got = (await store.getSignals(id))!;
      for (const part of [got, got.positives, got.viewed, got.tag_affinity, got.taste_vector, got.behavior])
        expect(Object.isFrozen(part)).toBe(true);
      expect(() => {
        (got.positives as Record<string, number>)["999"] = 1;
      }).toThrow(TypeError);
      await store.saveSignals({ ...saved, positives: { "101": 0.25 } });
      const again = (await store.getSignals(id))!;
      expect(again).not.toBe(got);
      expect(again.positives).toEqual({ "101": 0.25 });
      expect(got.positives).toEqual(saved.positives);
    });

    it("keeps both vectors, high dimensions and a model without any", async () => {
      const wide = {
        ...model(`${run}-u3`),
        taste_vector: Array.from({ length: 384 }, (_, i) => Math.sin(i + 1) / 7),
        recency_vector: Array.from({ length: 384 }, (_, i) => (i % 5 === 0 ? 0 : Math.cos(i) * 3.25)),
      };
      await store.saveSignals(wide);
      expectSame(await store.getSignals(wide.user_id), wide);
      const none = { ...model(`${run}-u4`), taste_vector: null, recency_vector: null };
      await store.saveSignals(none);
      expect(await store.getSignals(none.user_id)).toEqual(none);
    });

    it("replaces a saved model and keeps users apart", async () => {
      const id = `${run}-u2`;
      await store.saveSignals(model(id));
      await store.saveSignals(emptyUserSignals(id));
      expect(await store.getSignals(id)).toEqual(emptyUserSignals(id));
      expect((await store.getSignals(`${run}-u1`))?.positives).toEqual(model("x").positives);
    });
  });
}
