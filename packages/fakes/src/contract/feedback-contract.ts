import type {
  ActivityStore,
  FeedbackStore,
  Impression,
  ServedEntry,
  ServedLog,
  SettingsStore,
  VisitorActivity,
} from "@recsys/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** How to run a contract against an implementation. */
export interface StoreContractOptions<T> {
  /** Name shown in the test report. */
  readonly name: string;
  /** Create an empty store. */
  readonly create: () => Promise<T>;
  /** Clean up after the suite. */
  readonly destroy?: (store: T) => Promise<void>;
}

/** A suite's store, created before its tests and destroyed after them (shared by the contract suites). */
export function useStore<T>(options: StoreContractOptions<T>): () => T {
  let store: T | undefined;
  beforeAll(async () => {
    store = await options.create();
  });
  afterAll(async () => {
    if (store !== undefined && options.destroy) await options.destroy(store);
  });
  return () => store!;
}

const zeros = (n: number) => new Array<number>(n).fill(0);
const impression = (features: number[], rank = 1, variant: string | null = null): Impression => ({
  features,
  rank,
  strategy: "warm",
  ranking: "bandit",
  variant,
});

/**
 * The behaviour every {@link FeedbackStore} must have: impressions taken at most once (also under
 * concurrency), and policy sums that only ever add. Registers a `describe` block; the store must start
 * with no learned sums.
 * @param options - name, factory and clean-up
 */
export function describeFeedbackStoreContract(options: StoreContractOptions<FeedbackStore>): void {
  describe(`FeedbackStore contract: ${options.name}`, () => {
    const store = useStore(options);
    const run = `c${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

    it("pings", async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });

    it("answers null for an impression never served", async () => {
      expect(await store().consumeImpression(`${run}-none`, "101")).toBeNull();
    });

    it("gives an impression exactly once, as it was put; the list's other items stay", async () => {
      const first = impression([0.8123456789012345, 0, 0.5, 1e-9, -0.25, 0], 1);
      const second = impression([1, 2, 3, 4, 5, 6], 2, "B");
      await store().putImpressions(`${run}-r1`, { "101": first, "102": second });
      expect(await store().consumeImpression(`${run}-r1`, "101")).toEqual(first);
      expect(await store().consumeImpression(`${run}-r1`, "101")).toBeNull();
      expect(await store().consumeImpression(`${run}-r1`, "103")).toBeNull();
      expect(await store().consumeImpression(`${run}-r1`, "102")).toEqual(second);
      expect(await store().consumeImpression(`${run}-r1`, "102")).toBeNull();
    });

    it("keeps the texts a caller made of some impressions (the others serialised), giving each as it was put", async () => {
      const first = impression([0.1, 0.2, 0.30000000000000004, 0, 0, 1], 1);
      const second = impression([1, 0, 0, 0, 0, 0], 2, "B");
      const third = impression([0, 0, 0, 0, 0, 0.5], 3);
      await store().putImpressions(
        `${run}-r4`,
        { "9": first, "10": second, x: third },
        { "10": JSON.stringify(second), x: JSON.stringify(third) },
      );
      expect(await store().consumeImpression(`${run}-r4`, "10")).toEqual(second);
      expect(await store().consumeImpression(`${run}-r4`, "9")).toEqual(first);
      expect(await store().consumeImpression(`${run}-r4`, "x")).toEqual(third);
    });

    it("gives an impression to one of many concurrent takers only", async () => {
      await store().putImpressions(`${run}-r2`, { "7": impression([1, 0, 0, 0, 0, 0]) });
      const taken = await Promise.all(
        Array.from({ length: 25 }, () => store().consumeImpression(`${run}-r2`, "7")),
      );
      expect(taken.filter((x) => x !== null)).toEqual([impression([1, 0, 0, 0, 0, 0])]);
    });

    it("stores nothing for an empty list", async () => {
      await store().putImpressions(`${run}-r3`, {});
      expect(await store().consumeImpression(`${run}-r3`, "1")).toBeNull();
    });

    it("starts with no learned sums, adds every delta (concurrently too), and resets", async () => {
      await store().resetPolicy();
      expect(await store().policySums()).toEqual({ A: zeros(36), b: zeros(6), n_updates: 0 });
      const delta = (k: number) => ({
        A: Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? k : k / 8)),
        b: Array.from({ length: 6 }, (_, i) => (i - 2) * k),
        n_updates: 1,
      });
      await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((k) => store().addToPolicy(delta(k))));
      const sums = await store().policySums();
      expect(sums.n_updates).toBe(8);
      const near = (a: readonly number[], b: readonly number[]) =>
        a.length === b.length && a.every((value, i) => Math.abs(value - b[i]!) < 1e-12);
      expect(
        near(
          sums.A,
          Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 36 : 4.5)),
        ),
      ).toBe(true);
      expect(
        near(
          sums.b,
          Array.from({ length: 6 }, (_, i) => (i - 2) * 36),
        ),
      ).toBe(true);
      await store().resetPolicy();
      expect(await store().policySums()).toEqual({ A: zeros(36), b: zeros(6), n_updates: 0 });
    });

    it("is seeded once, atomically, and only when it learned nothing", async () => {
      await store().resetPolicy();
      const seed = { A: Array.from({ length: 36 }, (_, i) => i / 10), b: [1, 2, 3, 4, 5, -6], n_updates: 40 };
      const results = await Promise.all(Array.from({ length: 6 }, () => store().seedPolicy(seed, "state-1")));
      expect(results.filter(Boolean)).toHaveLength(1);
      const sums = await store().policySums();
      expect(sums.n_updates).toBe(40);
      expect(sums.A.every((value, i) => Math.abs(value - i / 10) < 1e-12)).toBe(true);
      expect(sums.b).toEqual([1, 2, 3, 4, 5, -6]);
      expect(await store().seedPolicy(seed, "state-2")).toBe(false);
      await store().resetPolicy();
      await store().addToPolicy({ A: zeros(36), b: zeros(6), n_updates: 1 });
      expect(await store().seedPolicy(seed, "state-1")).toBe(false); // it learned already
      await store().resetPolicy();
    });
  });
}

/**
 * The behaviour every {@link ServedLog} must have: entries come back exactly, newest first, by user.
 * Registers a `describe` block; the log must start empty.
 * @param options - name, factory and clean-up
 */
export function describeServedLogContract(options: StoreContractOptions<ServedLog>): void {
  describe(`ServedLog contract: ${options.name}`, () => {
    const log = useStore(options);
    const entry = (n: number, user: string): ServedEntry => ({
      request_id: `req-${n}`,
      user_id: user,
      ts: new Date(Date.UTC(2026, 5, 10, 10, n)).toISOString(),
      strategy: n % 2 === 0 ? "warm" : "cold",
      ranking: "bandit",
      policy_version: n,
      settings_version: null,
      variant: n === 3 ? "B" : null,
      filter: null,
      items: [
        {
          id: "101",
          rank: 1,
          role: "target",
          relevance_score: 0.7123456789,
          breakdown: { tag: 0.45, semantic: 0.2623456789 },
          features: [0.8, 0, 1, 0, 0, 0],
        },
        { id: "555", rank: 2, role: "distractor", relevance_score: 0, breakdown: {}, features: [] },
      ],
    });

    it("pings", async () => {
      await expect(log().ping()).resolves.toBeUndefined();
    });

    it("returns entries exactly, newest first, limited, and by user", async () => {
      expect(await log().recent()).toEqual([]);
      for (let n = 1; n <= 5; n++) await log().append(entry(n, n % 2 === 0 ? "alice" : "bob"));
      expect((await log().recent()).map((e) => e.request_id)).toEqual([
        "req-5",
        "req-4",
        "req-3",
        "req-2",
        "req-1",
      ]);
      expect(await log().recent({ limit: 1 })).toEqual([entry(5, "bob")]);
      expect((await log().recent({ userId: "alice" })).map((e) => e.request_id)).toEqual(["req-4", "req-2"]);
      expect(await log().recent({ userId: "carol" })).toEqual([]);
    });

    it("keeps the text a caller made of an entry, giving the entry back as it was", async () => {
      const given = entry(6, "dana");
      await log().append(given, JSON.stringify(given));
      expect(await log().recent({ userId: "dana" })).toEqual([given]);
    });
  });
}

/**
 * The behaviour every {@link SettingsStore} must have: versions that count changes, atomic changes that
 * are never lost under concurrency, refusals that change nothing, and the change log. Registers a
 * `describe` block; the store must start empty.
 * @param options - name, factory and clean-up
 */
export function describeSettingsStoreContract(options: StoreContractOptions<SettingsStore>): void {
  describe(`SettingsStore contract: ${options.name}`, () => {
    const store = useStore(options);
    const entry = (who: string) => ({
      at: "2026-06-10T10:00:00.000Z",
      who,
      action: "put" as const,
      partial: {},
    });

    it("starts at version 0 with no override", async () => {
      await expect(store().ping()).resolves.toBeUndefined();
      expect(await store().current()).toEqual({ version: 0, override: {} });
      expect(await store().version()).toBe(0);
      expect(await store().changes()).toEqual([]);
    });

    it("counts changes, keeps the override, and a refusal changes nothing", async () => {
      const first = await store().update(() => ({ mmr_lambda: 0.5, fusion: { tag: 0.6 } }), entry("k1"));
      expect(first).toEqual({ version: 1, override: { mmr_lambda: 0.5, fusion: { tag: 0.6 } } });
      await expect(
        store().update(() => {
          throw new Error("refused");
        }, entry("k2")),
      ).rejects.toThrow("refused");
      expect(await store().current()).toEqual(first);
      expect(await store().version()).toBe(1);
    });

    it("never loses a change made concurrently", async () => {
      const before = await store().version();
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store().update((current) => ({ ...current, [`k${i}`]: i }), entry(`writer-${i}`)),
        ),
      );
      const after = await store().current();
      expect(after.version).toBe(before + 8);
      for (let i = 0; i < 8; i++) expect(after.override[`k${i}`]).toBe(i);
      const log = await store().changes(3);
      expect(log.map((c) => c.version)).toEqual([before + 8, before + 7, before + 6]);
      expect(log[0]).toMatchObject({ at: "2026-06-10T10:00:00.000Z", action: "put" });
    });
  });
}

/**
 * The behaviour every {@link ActivityStore} must have: a visitor's record replaces their previous one, so
 * item totals equal the sum over visitors whatever is recorded twice. Registers a `describe` block; the
 * store must start empty.
 * @param options - name, factory and clean-up
 */
export function describeActivityStoreContract(options: StoreContractOptions<ActivityStore>): void {
  describe(`ActivityStore contract: ${options.name}`, () => {
    const store = useStore(options);
    const visitor = (id: string, minute: number, extra: Partial<VisitorActivity> = {}): VisitorActivity => ({
      user_id: id,
      last_interaction: new Date(Date.UTC(2026, 5, 10, 10, minute)).toISOString(),
      n_events: 4,
      n_views: 2,
      n_liked: 1,
      n_seen: 2,
      cold: false,
      ...extra,
    });

    it("starts empty", async () => {
      await expect(store().ping()).resolves.toBeUndefined();
      expect(await store().visitors(10)).toEqual([]);
      expect(await store().visitorCount()).toBe(0);
      expect(await store().items(10)).toEqual([]);
      expect(await store().item("101")).toBeNull();
    });

    it("keeps item totals equal to the sum over visitors, whatever is recorded again", async () => {
      await store().record(visitor("a", 1), [
        { id: "101", visits: 2, dwell: 120, positive: true },
        { id: "102", visits: 1, dwell: null, positive: false },
      ]);
      await store().record(visitor("b", 2), [{ id: "101", visits: 1, dwell: 30, positive: false }]);
      // a's record again (a re-delivered batch), then a grown one
      await store().record(visitor("a", 1), [{ id: "101", visits: 2, dwell: 120, positive: true }]);
      await store().record(visitor("a", 3, { n_events: 6 }), [
        { id: "101", visits: 3, dwell: 150, positive: true },
      ]);
      expect(await store().item("101")).toEqual({
        content_id: "101",
        views: 4,
        visitors: 2,
        avg_dwell: 90,
        positive: 1,
        positive_rate: 0.5,
      });
      expect(await store().item("102")).toEqual({
        content_id: "102",
        views: 1,
        visitors: 1,
        avg_dwell: null,
        positive: 0,
        positive_rate: 0,
      });
      expect((await store().items(1)).map((i) => i.content_id)).toEqual(["101"]);
      expect((await store().visitors(10)).map((v) => [v.user_id, v.n_events])).toEqual([
        ["a", 6],
        ["b", 4],
      ]);
      expect(await store().visitorCount()).toBe(2);
    });

    it("sums fractional dwell times in doubles, the old one out and the new one in, as every store does", async () => {
      await store().record(visitor("a", 1), [{ id: "103", visits: 1, dwell: 30.1, positive: false }]);
      await store().record(visitor("b", 2), [{ id: "103", visits: 1, dwell: 20.2, positive: false }]);
      await store().record(visitor("a", 3), [{ id: "103", visits: 2, dwell: 40.3, positive: false }]);
      // 0.1 + 0.2-like sums are not exact in doubles: the order of the additions shows in the last bit.
      const sum = 0 + 30.1 + 20.2 - 30.1 + 40.3;
      expect(sum).not.toBe(20.2 + 40.3);
      expect((await store().item("103"))?.avg_dwell).toBe(sum / 2);
    });
  });
}
