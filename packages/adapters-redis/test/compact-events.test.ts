import { randomUUID } from "node:crypto";
import { normalizeEvents, resolveConfig, UserModelUpdater } from "@recsys/core";
import {
  BB_NOW,
  createBBContentStore,
  generateCatalog,
  generateEvents,
  InMemoryUserModelStore,
  rudderstackViews,
} from "@recsys/fakes";
import { type InteractionEvent, interactionEvent } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { decodeCompactEvent, encodeCompactEvent } from "../src/compact-event.js";
import { createRedisStores } from "../src/redis-stores.js";
import { useRedisServer } from "./redis-fixture.js";

const redis = useRedisServer();

/** What a compact member keeps of an event: everything but the raw call, whose messageId stays. */
const kept = (e: InteractionEvent): InteractionEvent => ({
  ...e,
  raw: e.raw.messageId === undefined ? {} : { messageId: e.raw.messageId },
});
const roundTrip = (e: InteractionEvent) => decodeCompactEvent(e.user_id, JSON.parse(encodeCompactEvent(e)));

function generatedWorld(users: number): InteractionEvent[] {
  const catalog = generateCatalog({ items: 200, dimension: 8, seed: 3, themes: 12 });
  const calls = generateEvents({ catalog, users, eventsPerUser: 60, endMs: BB_NOW, seed: 5 });
  for (const call of calls) call.messageId = randomUUID();
  return normalizeEvents(calls, { now: BB_NOW }).events;
}

describe("compact buffered events", () => {
  it("keep every field the model reads, and the messageId, on the generated world", () => {
    const events = generatedWorld(40);
    expect(events.length).toBe(2410);
    for (const e of events) expect(roundTrip(e)).toEqual(kept(e));
    const mean = events.reduce((sum, e) => sum + encodeCompactEvent(e).length, 0) / events.length;
    expect(mean).toBeLessThan(64); // Redis keeps small sorted sets of members up to 64 bytes as a listpack
  });

  it("write a view event in the documented layout", () => {
    const ended = interactionEvent({
      user_id: "u",
      event: "CONTENT_VIEW_ENDED",
      ts: "2026-06-10T10:02:00.000Z",
      content_id: "101",
      dwell_seconds: 120,
      end_reason: "next_button",
      session_id: "s1",
      raw: { messageId: "0f8fad5b-d9cb-469f-a165-70867728950e", anonymousId: "a", properties: {} },
    });
    expect(encodeCompactEvent(ended)).toBe('[1,1781085720000,"101",120,0,"~D4-tW9nLRp-hZXCGdyiVDg","s1"]');
    expect(roundTrip(ended)).toEqual(kept(ended));
  });

  it("keep rare fields, unknown event names, odd messageIds and survey answers", () => {
    const base = { user_id: "u", ts: "2026-06-10T10:00:00.123Z" };
    const cases = [
      interactionEvent({
        ...base,
        event: "SEARCH",
        query_text: "jazz",
        clicked_id: "7",
        impressions: ["1", "2"],
      }),
      interactionEvent({
        ...base,
        event: "SURVEY_SUBMITTED",
        survey_answers: { "q:age": "18_24", n: [1, 2] },
      }),
      interactionEvent({ ...base, event: "IDENTIFY", raw: { messageId: "~not-a-uuid" } }),
      interactionEvent({
        ...base,
        event: "IDENTIFY",
        raw: { messageId: "0F8FAD5B-D9CB-469F-A165-70867728950E" },
      }),
      interactionEvent({ ...base, event: "E", request_id: "r1", raw: { messageId: 42 } }),
      interactionEvent({ ...base, event: "E", raw: { messageId: "~~" } }),
    ];
    for (const e of cases) expect(roundTrip(e)).toEqual(kept(e));
  });

  it("are read beside reference members in one buffer, ordered by time; damaged members are skipped", async () => {
    const ts = (m: number) => new Date(Date.UTC(2026, 5, 10, 10, m)).toISOString();
    const reference = createRedisStores({
      client: redis.client,
      prefix: "mixed",
      clock: () => BB_NOW,
      format: "reference",
    });
    const compact = createRedisStores({ client: redis.client, prefix: "mixed", clock: () => BB_NOW });
    const a = interactionEvent({ user_id: "u", event: "CONTENT_VIEW_STARTED", ts: ts(0), content_id: "101" });
    const b = interactionEvent({ user_id: "u", event: "CONTENT_VIEW_STARTED", ts: ts(5), content_id: "102" });
    const c = interactionEvent({ user_id: "u", event: "CONTENT_VIEW_STARTED", ts: ts(9), content_id: "103" });
    await reference.eventBuffer.append([a, c]);
    await compact.eventBuffer.append([b, b]);
    await redis.client.zadd(
      "mixed:evt:u",
      Date.UTC(2026, 5, 10, 10, 7) / 1000,
      '["",1]',
      Date.UTC(2026, 5, 10, 10, 8) / 1000,
      "[9999,2]",
    );
    expect(await compact.eventBuffer.fetchEvents("u")).toEqual([a, b, c]);
    expect(await redis.client.zcard("mixed:evt:u")).toBe(5);
  });

  it("build the same model as the reference format (messageId de-duplication included)", async () => {
    const calls: Record<string, unknown>[] = [
      ...rudderstackViews("viewer", "101", 120, "next_button", BB_NOW - 3_600_000),
      ...rudderstackViews("viewer", "301", 2, "close_button", BB_NOW - 1_800_000),
    ].map((call, i) => ({ ...call, messageId: `m-${i}` }));
    // the first call again, same messageId, with a field the model never reads changed: the reference
    // format stores it as a second member, which the model builder counts once by messageId
    calls.push({ ...calls[0]!, anonymousId: "redelivered" });
    const { events } = normalizeEvents(calls, { now: BB_NOW });
    const cfg = resolveConfig({});
    const models = [];
    const counts: number[] = [];
    for (const format of ["reference", "compact"] as const) {
      const { eventBuffer } = createRedisStores({
        client: redis.client,
        prefix: `same-${format}`,
        clock: () => BB_NOW,
        format,
      });
      await eventBuffer.append(events);
      const modelStore = new InMemoryUserModelStore();
      await new UserModelUpdater({ contentStore: createBBContentStore(), modelStore, cfg }).refresh(
        "viewer",
        eventBuffer,
        { now: BB_NOW },
      );
      models.push(await modelStore.getSignals("viewer"));
      counts.push(await redis.client.zcard(`same-${format}:evt:viewer`));
    }
    expect(models[0]!.positives).toHaveProperty("101");
    expect(models[1]).toEqual(models[0]);
    expect(counts).toEqual([5, 4]);
  });
});
