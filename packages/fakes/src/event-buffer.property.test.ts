import {
  canonicalEventJson,
  compareBufferedEvents,
  type InteractionEvent,
  interactionEvent,
} from "@recsys/ports";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";

const NOW = Date.UTC(2026, 5, 10, 12);
const DAY = 86_400_000;

/**
 * The buffer as first written: every event's canonical JSON in a set, the list sorted after each append,
 * then the window and the cap applied. The buffer must keep exactly what this keeps, in the same order.
 */
function reference(appends: InteractionEvent[][], windowDays: number | undefined, cap: number) {
  const users = new Map<string, { json: string; ms: number; event: InteractionEvent }[]>();
  const added: number[] = [];
  for (const batch of appends) {
    let count = 0;
    const touched = new Set<string>();
    for (const event of batch) {
      const list = users.get(event.user_id) ?? [];
      users.set(event.user_id, list);
      const json = canonicalEventJson(event);
      if (!list.some((stored) => stored.json === json)) {
        list.push({ json, ms: Date.parse(event.ts), event });
        count += 1;
      }
      touched.add(event.user_id);
    }
    for (const id of touched) {
      const list = users.get(id)!;
      list.sort(compareBufferedEvents);
      const cutoff = windowDays === undefined ? Number.NEGATIVE_INFINITY : NOW - windowDays * DAY;
      users.set(id, list.filter((stored) => stored.ms >= cutoff).slice(-cap));
    }
    added.push(count);
  }
  return { users, added };
}

describe("InMemoryEventBuffer against the buffer as first written", () => {
  it("keeps the same events in the same order, and counts the same additions, for any appends", async () => {
    // Few users, times and items, so replays and equal times are frequent.
    const event = fc
      .record({
        user: fc.constantFrom("a", "b", "c"),
        minute: fc.integer({ min: -3 * 24 * 60, max: 0 }).map((m) => m - (m % 7)),
        millis: fc.constantFrom(0, 1, 500),
        content: fc.constantFrom("101", "102", "103"),
        name: fc.constantFrom("CONTENT_VIEW_STARTED", "CONTENT_VIEW_ENDED"),
        messageId: fc.constantFrom(undefined, "m1", "m2"),
      })
      .map(({ user, minute, millis, content, name, messageId }) =>
        interactionEvent({
          user_id: user,
          event: name,
          ts: new Date(NOW + minute * 60_000 + millis).toISOString(),
          content_id: content,
          raw: messageId === undefined ? {} : { messageId },
        }),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(event, { maxLength: 12 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(undefined, 1, 2),
        fc.constantFrom(Number.POSITIVE_INFINITY, 3, 6),
        async (appends, windowDays, cap) => {
          const buffer = new InMemoryEventBuffer({
            clock: () => NOW,
            ...(windowDays === undefined ? {} : { windowDays }),
            maxEventsPerUser: cap,
          });
          const added: number[] = [];
          for (const batch of appends) added.push((await buffer.append(batch)).added);
          const expected = reference(appends, windowDays, cap);
          expect(added).toEqual(expected.added);
          for (const user of ["a", "b", "c"]) {
            const got = (await buffer.fetchEvents(user)).map(canonicalEventJson);
            expect(got).toEqual((expected.users.get(user) ?? []).map((stored) => stored.json));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
