import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  contentFromPayload,
  freezeSet,
  type ServedEntry,
  safeParseUserSignals,
  type UserSignals,
} from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { viewEvents } from "./bb-fixtures.js";
import { InMemoryActivityStore } from "./in-memory-activity.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";
import { InMemoryFeedbackStore, InMemoryServedLog, keptText } from "./in-memory-feedback.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

const DAY = 86_400_000;

/** A full garbage collection, reached without starting node with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}
const START = Date.UTC(2026, 5, 10, 12);

/** An impression as the service records it, and a served list without items. */
const IMPRESSION = {
  features: [1, 0, 0, 0, 0, 0],
  rank: 1,
  strategy: "warm",
  ranking: "static",
  variant: null,
};
const SERVED_ENTRY: ServedEntry = {
  request_id: "r1",
  user_id: "u1",
  ts: new Date(START).toISOString(),
  strategy: "warm",
  ranking: "static",
  policy_version: 0,
  settings_version: null,
  variant: null,
  filter: null,
  items: [],
};

function signals(userId: string): UserSignals {
  const parsed = safeParseUserSignals({ user_id: userId, positives: { "101": 1 }, viewed: ["101"] });
  if (!parsed.success) throw new Error("bad signals");
  return parsed.output;
}

describe("InMemoryUserModelStore bounds", () => {
  it("expires a model ttlDays after its last save, by the injected clock", async () => {
    let now = START;
    const store = new InMemoryUserModelStore({ ttlDays: 90, clock: () => now });
    await store.saveSignals(signals("u"));
    now = START + 90 * DAY - 1;
    expect((await store.getSignals("u"))?.user_id).toBe("u");
    now = START + 90 * DAY;
    expect(await store.getSignals("u")).toBeNull();
    expect(store.size).toBe(0);
    // a save renews the TTL
    await store.saveSignals(signals("v"));
    now += 60 * DAY;
    await store.saveSignals(signals("v"));
    now += 60 * DAY;
    expect((await store.getSignals("v"))?.user_id).toBe("v");
  });

  it("evicts the least recently used model beyond maxUsers; a read counts as use", async () => {
    const store = new InMemoryUserModelStore({ maxUsers: 2 });
    await store.saveSignals(signals("a"));
    await store.saveSignals(signals("b"));
    await store.getSignals("a"); // b is now the least recently used
    await store.saveSignals(signals("c"));
    expect(store.userIds().sort()).toEqual(["a", "c"]);
    expect(await store.getSignals("b")).toBeNull();
    expect(store.size).toBe(2);
  });
});

describe("InMemoryEventBuffer bounds", () => {
  it("drops a user's events window + margin after their last append, and renews on append", async () => {
    let now = START;
    const buffer = new InMemoryEventBuffer({ windowDays: 30, clock: () => now });
    await buffer.append(viewEvents("quiet", "101", 10, "link", now));
    await buffer.append(viewEvents("busy", "101", 10, "link", now));
    now = START + 20 * DAY;
    await buffer.append(viewEvents("busy", "102", 10, "link", now));
    now = START + 31 * DAY; // 30-day window + 1-day margin since quiet's only append
    expect(await buffer.fetchEvents("quiet")).toEqual([]);
    expect(await buffer.version("quiet")).toBe("0");
    expect((await buffer.fetchEvents("busy")).map((e) => e.content_id)).toEqual(["101", "101", "102", "102"]);
    const users: string[] = [];
    for await (const id of buffer.users()) users.push(id);
    expect(users).toEqual(["busy"]);
    expect(buffer.size).toBe(1);
  });

  it("evicts the least recently used user beyond maxUsers", async () => {
    const buffer = new InMemoryEventBuffer({ maxUsers: 2 });
    await buffer.append(viewEvents("a", "101", 10, "link", START));
    await buffer.append(viewEvents("b", "101", 10, "link", START));
    await buffer.fetchEvents("a"); // b is now the least recently used
    await buffer.append(viewEvents("c", "101", 10, "link", START));
    expect(await buffer.fetchEvents("b")).toEqual([]);
    expect((await buffer.fetchEvents("a")).length).toBe(2);
    expect((await buffer.fetchEvents("c")).length).toBe(2);
    expect(buffer.size).toBe(2);
  });

  it("an append naming a new user and an old one at the cap keeps both and evicts the least recently used", async () => {
    const buffer = new InMemoryEventBuffer({ maxUsers: 2 });
    await buffer.append(viewEvents("x", "101", 10, "link", START));
    await buffer.append(viewEvents("y", "101", 10, "link", START));
    await buffer.append([
      ...viewEvents("z", "101", 10, "link", START),
      ...viewEvents("x", "102", 10, "link", START),
    ]);
    expect(await buffer.fetchEvents("y")).toEqual([]);
    expect((await buffer.fetchEvents("x")).length).toBe(4);
    expect((await buffer.fetchEvents("z")).length).toBe(2);
  });

  it("a flood of distinct users stays within the cap in users and in heap", async () => {
    const cap = 1_000;
    const buffer = new InMemoryEventBuffer({ maxUsers: cap, maxEventsPerUser: 10 });
    const models = new InMemoryUserModelStore({ maxUsers: cap });
    const flood = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await buffer.append(viewEvents(`flood-${i}`, "101", 10, "link", START));
        await models.saveSignals(signals(`flood-${i}`));
      }
    };
    await flood(0, 2 * cap);
    collectGarbage();
    const afterFirst = process.memoryUsage().heapUsed;
    await flood(2 * cap, 50 * cap); // 48,000 more users
    collectGarbage();
    expect(buffer.size).toBe(cap);
    expect(models.size).toBe(cap);
    // the newest users are the ones kept
    expect((await buffer.fetchEvents(`flood-${50 * cap - 1}`)).length).toBe(2);
    expect(await buffer.fetchEvents("flood-0")).toEqual([]);
    // 24x more users than the first pass did not grow the heap by anything like 24x what they hold
    const grown = process.memoryUsage().heapUsed - afterFirst;
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe("InMemoryFeedbackStore bounds", () => {
  const put = (store: InMemoryFeedbackStore, requestId: string) =>
    store.putImpressions(requestId, { "101": IMPRESSION });
  const held = async (store: InMemoryFeedbackStore, requestId: string) =>
    (await store.consumeImpression(requestId, "101")) !== null;

  it("drops the oldest served lists beyond maxRequests; a list put again is the newest", async () => {
    const store = new InMemoryFeedbackStore({ maxRequests: 2 });
    await put(store, "r1");
    await put(store, "r2");
    await put(store, "r1"); // again: now newer than r2
    await put(store, "r3");
    expect(store.pendingRequests).toBe(2);
    expect(await held(store, "r2")).toBe(false);
    expect(await held(store, "r1")).toBe(true);
    expect(await held(store, "r3")).toBe(true);
  });

  it("drops lists older than the impression TTL at the next put, through consumed ones", async () => {
    let now = START;
    const store = new InMemoryFeedbackStore({ impressionTtlHours: 1, clock: () => now });
    for (const id of ["r1", "r2", "r3", "r4"]) await put(store, id);
    expect(await held(store, "r2")).toBe(true); // consumed: gone from the store
    now += 30 * 60_000;
    await put(store, "r5");
    now += 40 * 60_000; // r1, r3 and r4 are 70 minutes old, r5 40
    await put(store, "r6");
    expect(store.pendingRequests).toBe(2);
    expect(await held(store, "r5")).toBe(true);
    expect(await held(store, "r6")).toBe(true);
  });
});

describe("InMemoryActivityStore bounds", () => {
  const visitor = (id: string, minute: number) => ({
    user_id: id,
    last_interaction: new Date(START + minute * 60_000).toISOString(),
    n_events: 2,
    n_views: 1,
    n_liked: 1,
    n_seen: 1,
    cold: false,
  });

  it("drops the least recently recorded visitor beyond maxVisitors, with their item activity", async () => {
    const store = new InMemoryActivityStore({ maxVisitors: 2 });
    await store.record(visitor("a", 1), [{ id: "101", visits: 1, dwell: 60, positive: true }]);
    await store.record(visitor("b", 2), [
      { id: "101", visits: 2, dwell: 30, positive: false },
      { id: "102", visits: 1, dwell: 10, positive: false },
    ]);
    await store.record(visitor("a", 3), [{ id: "101", visits: 1, dwell: 60, positive: true }]); // a again
    await store.record(visitor("c", 4), [{ id: "103", visits: 1, dwell: 20, positive: true }]); // b out
    expect(await store.visitorCount()).toBe(2);
    expect((await store.visitors(10)).map((v) => v.user_id)).toEqual(["c", "a"]);
    expect(await store.item("102")).toBeNull();
    expect((await store.item("101"))?.visitors).toBe(1);
    expect((await store.item("101"))?.views).toBe(1);
    await store.record(visitor("d", 5), []); // a out
    expect((await store.visitors(10)).map((v) => v.user_id)).toEqual(["d", "c"]);
    expect(await store.item("101")).toBeNull();
  });
});

describe("InMemoryServedLog keeps its texts flat", () => {
  it("holds a text built from many pieces in about its own size", async () => {
    // A text built piece by piece is a tree of its pieces in V8 (~3.4x its characters); kept flat, it is
    // about its characters (one byte each here).
    const log = new InMemoryServedLog();
    const entry = SERVED_ENTRY;
    const count = 2000;
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    let chars = 0;
    for (let n = 0; n < count; n++) {
      let text = `{"request_id":"r${n}","items":[`;
      for (let i = 0; i < 40; i++) text += `${i === 0 ? "" : ","}{"id":"${i}","score":${(n + i) / 7}}`;
      text += "]}";
      chars += text.length;
      await log.append(entry, text);
    }
    collectGarbage();
    const perEntry = (process.memoryUsage().heapUsed - before) / count;
    expect(log.size).toBe(count);
    expect(perEntry).toBeLessThan(1.5 * (chars / count));
  });
});

describe("keptText", () => {
  /** A text made of many pieces, as the service makes a served-log entry's. */
  function pieced(n: number): string {
    let text = '{"items":[';
    for (let i = 0; i < n; i++) text += `${i === 0 ? "" : ","}{"id":"${i}","score":${i / 7}}`;
    return `${text}]}`;
  }

  it("returns the very text it was given, whatever its characters", () => {
    for (const text of [pieced(40), "", " padded ", "é\u0301 — 𝄞", '{"a":"\\u0000"}']) {
      expect(keptText(text)).toBe(text);
    }
  });

  it("leaves what the stores give back unchanged", async () => {
    const log = new InMemoryServedLog();
    // Made of pieces (a slice and a concatenation), as the service's entry texts are.
    const text = `${JSON.stringify(SERVED_ENTRY).slice(0, -1)}}`;
    await log.append(SERVED_ENTRY, text);
    expect(await log.recent()).toEqual([SERVED_ENTRY]);
    const feedback = new InMemoryFeedbackStore();
    await feedback.putImpressions("r1", { "101": IMPRESSION }, { "101": JSON.stringify(IMPRESSION) });
    expect(await feedback.consumeImpression("r1", "101")).toEqual(IMPRESSION);
  });
});

describe("InMemoryEventBuffer hands out what was appended, frozen", () => {
  it("returns the appended events themselves, frozen, and a replay adds nothing", async () => {
    const buffer = new InMemoryEventBuffer({ clock: () => START });
    const events = viewEvents("u", "101", 30, "next_button", START - DAY);
    await buffer.append(events);
    const read = await buffer.fetchEvents("u");
    expect(read).toHaveLength(events.length);
    for (const event of read) {
      expect(events).toContain(event);
      expect(Object.isFrozen(event)).toBe(true);
    }
    expect(() => {
      (read[0] as { content_id: string | null }).content_id = "999";
    }).toThrow(TypeError);
    expect(await buffer.append(viewEvents("u", "101", 30, "next_button", START - DAY))).toEqual({ added: 0 });
  });
});

describe("InMemoryContentStore keeps the answers of frozen queries", () => {
  it("answers a query of frozen parts once, and the same as an unfrozen query; anything else every time", async () => {
    const contents = ["1", "2", "3", "4"].map((id, i) =>
      contentFromPayload(id, { tags: [{ facet: "theme_what", label: i % 2 ? "Family" : "Work" }] }),
    );
    const vectors = new Map(contents.map((c, i) => [c.id, [1, i, 0, 0]]));
    const store = new InMemoryContentStore(contents, vectors);
    const vector = Object.freeze([1, 2, 0, 0]);
    const exclude = freezeSet(new Set(["3"]));
    const weights = Object.freeze({ "theme_what:family": 1 });
    const ask = () =>
      store.query([
        { kind: "vector", vector, limit: 2, exclude },
        { kind: "tags", weights, limit: 2, exclude },
      ]);
    const [first, again, open] = [
      await ask(),
      await ask(),
      await store.query([
        { kind: "vector", vector: [1, 2, 0, 0], limit: 2, exclude: new Set(["3"]) },
        { kind: "tags", weights: { "theme_what:family": 1 }, limit: 2, exclude: new Set(["3"]) },
      ]),
    ];
    expect(again[0]).toBe(first[0]);
    expect(again[1]).toBe(first[1]);
    expect(open[0]).not.toBe(first[0]);
    expect(first).toEqual(open);
    expect(first[0]!.map((hit) => hit.id)).toEqual(["4", "2"]);
    expect(first[1]!.map((hit) => hit.id)).toEqual(["2", "4"]);
    // At most `keptAnswers` keys keep their answers (the most recently used); 0 keeps none.
    const one = new InMemoryContentStore(contents, vectors, { keptAnswers: 1 });
    const other = Object.freeze([0, 1, 0, 0]);
    const [a] = await one.query([{ kind: "vector", vector, limit: 2, exclude }]);
    await one.query([{ kind: "vector", vector: other, limit: 2, exclude }]);
    const [b] = await one.query([{ kind: "vector", vector, limit: 2, exclude }]);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
    const none = new InMemoryContentStore(contents, vectors, { keptAnswers: 0 });
    const [c] = await none.query([{ kind: "vector", vector, limit: 2, exclude }]);
    expect((await none.query([{ kind: "vector", vector, limit: 2, exclude }]))[0]).not.toBe(c);
    // Another limit or exclusion over the same frozen vector is its own answer.
    const [wider] = await store.query([{ kind: "vector", vector, limit: 3, exclude }]);
    expect(wider!.map((hit) => hit.id)).toEqual(["4", "2", "1"]);
  });
});
