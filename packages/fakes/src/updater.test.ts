import { resolveConfig, UserModelUpdater } from "@recsys/core";
import type { EventBuffer, InteractionEvent } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { BB_NOW, createBBContentStore, viewEvents } from "./bb-fixtures.js";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

const HOUR = 3_600_000;

describe("UserModelUpdater.refresh: rebuild until stable", () => {
  it("rebuilds when the buffer changed while the model was being saved, so no event is lost", async () => {
    const contentStore = createBBContentStore();
    const buffer = new InMemoryEventBuffer();
    const late = viewEvents("u", "102", 120, "next_button", BB_NOW - HOUR);
    let saves = 0;
    const models = new InMemoryUserModelStore();
    const save = models.saveSignals.bind(models);
    models.saveSignals = async (signals) => {
      saves += 1;
      await save(signals);
      // A concurrent ingest appends right after the first save.
      if (saves === 1) await buffer.append(late);
    };
    const updater = new UserModelUpdater({ contentStore, modelStore: models, cfg: resolveConfig() });
    await buffer.append(viewEvents("u", "101", 120, "next_button", BB_NOW - HOUR));
    const saved = await updater.refresh("u", buffer, { now: BB_NOW });
    expect(saves).toBe(2);
    expect(Object.keys(saved.positives).sort()).toEqual(["101", "102"]);
    expect((await models.getSignals("u"))?.positives).toEqual(saved.positives);
  });

  it("reads the events and their version at once when the buffer can, and still rebuilds after a concurrent append", async () => {
    const contentStore = createBBContentStore();
    const buffer = new InMemoryEventBuffer();
    const reads = { versioned: 0, events: 0, version: 0 };
    const fetchEvents = buffer.fetchEvents.bind(buffer);
    const version = buffer.version.bind(buffer);
    buffer.fetchEvents = async (userId) => {
      reads.events += 1;
      return fetchEvents(userId);
    };
    buffer.version = async (userId) => {
      reads.version += 1;
      return version(userId);
    };
    const withVersion: EventBuffer = Object.assign(buffer, {
      async fetchVersioned(userId: string) {
        reads.versioned += 1;
        return { events: await fetchEvents(userId), version: await version(userId) };
      },
    });
    const models = new InMemoryUserModelStore();
    const save = models.saveSignals.bind(models);
    let saves = 0;
    models.saveSignals = async (signals) => {
      saves += 1;
      await save(signals);
      if (saves === 1) await buffer.append(viewEvents("u", "102", 120, "next_button", BB_NOW - HOUR));
    };
    const updater = new UserModelUpdater({ contentStore, modelStore: models, cfg: resolveConfig() });
    await buffer.append(viewEvents("u", "101", 120, "next_button", BB_NOW - HOUR));
    const saved = await updater.refresh("u", withVersion, { now: BB_NOW });
    expect(saves).toBe(2);
    expect(Object.keys(saved.positives).sort()).toEqual(["101", "102"]);
    // Two reads of events and token at once (the first, and the one after the token changed); a token
    // alone after each save; never the events alone.
    expect(reads).toEqual({ versioned: 2, events: 0, version: 2 });
  });

  it("stops after maxRounds under endless churn, having saved each time", async () => {
    const contentStore = createBBContentStore();
    const models = new InMemoryUserModelStore();
    let n = 0;
    const churning = {
      async fetchEvents(): Promise<InteractionEvent[]> {
        n += 1;
        return viewEvents("u", "101", 10 + n, "link", BB_NOW - HOUR);
      },
    };
    const updater = new UserModelUpdater({ contentStore, modelStore: models, cfg: resolveConfig() });
    await updater.refresh("u", churning, { now: BB_NOW, maxRounds: 3 });
    // One read per round: the last allowed round saves without checking again.
    expect(n).toBe(3);
  });

  it("rebuildAll refreshes every user of the buffer and reports progress", async () => {
    const contentStore = createBBContentStore();
    const buffer = new InMemoryEventBuffer();
    const models = new InMemoryUserModelStore();
    for (const u of ["a", "b", "c"])
      await buffer.append(viewEvents(u, "101", 120, "next_button", BB_NOW - HOUR));
    const progress: number[] = [];
    const updater = new UserModelUpdater({ contentStore, modelStore: models, cfg: resolveConfig() });
    expect(await updater.rebuildAll(buffer, { now: BB_NOW, onProgress: (d) => progress.push(d) })).toBe(3);
    expect(progress).toEqual([3]);
    expect(models.userIds().sort()).toEqual(["a", "b", "c"]);
  });
});

describe("UserModelUpdater.build: at-least-once delivery", () => {
  it("a call delivered twice with the same messageId counts once, even when more than sentAt changed", async () => {
    const contentStore = createBBContentStore();
    const updater = new UserModelUpdater({
      contentStore,
      modelStore: new InMemoryUserModelStore(),
      cfg: resolveConfig(),
    });
    const [started, ended] = viewEvents("u", "101", 120, "next_button", BB_NOW - HOUR);
    const withId = (event: InteractionEvent, id: string, extra: Record<string, unknown> = {}) => ({
      ...event,
      raw: { messageId: id, ...extra },
    });
    const once = [withId(started!, "m1"), withId(ended!, "m2")];
    // A re-delivery of m1 whose context changed on the way (a proxy added a field, say).
    const twice = [
      withId(started!, "m1"),
      withId(started!, "m1", { context: { ip: "1.2.3.4" } }),
      withId(ended!, "m2"),
    ];
    const a = await updater.build("u", once, { now: BB_NOW });
    const b = await updater.build("u", twice, { now: BB_NOW });
    expect(b).toEqual(a);
    expect(a.behavior.n_views).toBe(1);
    // Without messageIds nothing is dropped: two STARTED events are two visits.
    const plain = await updater.build("u", [started!, started!, ended!], { now: BB_NOW });
    expect(plain.positives["101"]).not.toBe(a.positives["101"]);
  });
});
