import { type EventBuffer, type InteractionEvent, interactionEvent } from "@recsys/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** How to run the event-buffer contract against an implementation. */
export interface EventBufferContractOptions {
  /** Name shown in the test report. */
  readonly name: string;
  /** Create an empty buffer (with no window trimming of events from 2026). */
  readonly create: () => Promise<EventBuffer>;
  /** Clean up after the suite. */
  readonly destroy?: (buffer: EventBuffer) => Promise<void>;
}

let counter = 0;

function ev(user: string, ts: string, fields: Partial<InteractionEvent> = {}): InteractionEvent {
  const base = { user_id: user, event: "CONTENT_VIEW_STARTED", ts, session_id: "s1", content_id: "101" };
  return interactionEvent({ ...base, raw: { messageId: `m${counter++}` }, ...fields });
}

/**
 * The behaviour every {@link EventBuffer} must have. Registers a `describe` block; users are namespaced
 * per run so the suite can share a real server with other tests.
 * @param options - name, factory and clean-up
 */
export function describeEventBufferContract(options: EventBufferContractOptions): void {
  describe(`EventBuffer contract: ${options.name}`, () => {
    let buffer: EventBuffer;
    const run = `contract-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
    const user = (name: string) => `${run}-${name}`;
    beforeAll(async () => {
      buffer = await options.create();
    });
    afterAll(async () => {
      if (buffer && options.destroy) await options.destroy(buffer);
    });

    it("pings", async () => {
      await expect(buffer.ping()).resolves.toBeUndefined();
    });

    it("returns nothing for an unknown user", async () => {
      expect(await buffer.fetchEvents(user("nobody"))).toEqual([]);
    });

    it("returns a user's events in timestamp order, exactly as appended", async () => {
      const u = user("order");
      const late = ev(u, "2026-06-10T10:05:00.000Z", {
        event: "CONTENT_VIEW_ENDED",
        dwell_seconds: 12.5,
        end_reason: "next_button",
        impressions: ["7", "8"],
        survey_answers: { rating: 4, "q:theme": ["a", "b"] },
      });
      const early = ev(u, "2026-06-10T10:00:00.000Z");
      await buffer.append([late]);
      await buffer.append([early]);
      expect(await buffer.fetchEvents(u)).toEqual([early, late]);
    });

    it("stores an exact replay once, but keeps distinct calls (by messageId) with the same time", async () => {
      const u = user("dedupe");
      const a = ev(u, "2026-06-10T10:00:00.000Z", { raw: { messageId: "a" } });
      const b = ev(u, "2026-06-10T10:00:00.000Z", { raw: { messageId: "b" } });
      await buffer.append([a, b]);
      await buffer.append([structuredClone(a)]);
      const stored = await buffer.fetchEvents(u);
      expect(stored).toHaveLength(2);
      expect(stored).toEqual(expect.arrayContaining([a, b]));
    });

    it("orders events with equal timestamps by their canonical JSON (the same in every store)", async () => {
      const u = user("ties");
      const x = ev(u, "2026-06-10T10:00:00.000Z", { event: "Z_EVENT", raw: {} });
      const y = ev(u, "2026-06-10T10:00:00.000Z", { event: "A_EVENT", raw: {} });
      await buffer.append([x, y]);
      expect((await buffer.fetchEvents(u)).map((e) => e.event)).toEqual(["A_EVENT", "Z_EVENT"]);
    });

    it("changes a user's version token when an append stores something, not on a replay (when it has one)", async () => {
      const versioned = buffer as EventBuffer & { version?(userId: string): Promise<string> };
      if (!versioned.version) return; // the token is optional: the updater re-reads the events without it
      const u = user("version");
      const other = user("version-other");
      // With both reads, `fetchVersioned` answers the events and the token of each state.
      const token = async () => {
        const version = await versioned.version!(u);
        if (buffer.fetchVersioned)
          expect(await buffer.fetchVersioned(u)).toEqual({ events: await buffer.fetchEvents(u), version });
        return version;
      };
      const empty = await token();
      const first = ev(u, "2026-06-10T10:00:00.000Z");
      await buffer.append([first]);
      const one = await token();
      expect(one).not.toBe(empty);
      await buffer.append([structuredClone(first)]); // an exact replay stores nothing
      await buffer.append([ev(other, "2026-06-10T10:00:00.000Z")]); // another user's append
      expect(await token()).toBe(one);
      await buffer.append([ev(u, "2026-06-10T09:00:00.000Z"), ev(u, "2026-06-10T11:00:00.000Z")]);
      const three = await token();
      expect(three).not.toBe(one);
      expect(await token()).toBe(three);
    });

    it("keeps users apart, in one append call for many users", async () => {
      const [a, b] = [user("a"), user("b")];
      await buffer.append([
        ev(a, "2026-06-10T10:00:00.000Z"),
        ev(b, "2026-06-10T10:01:00.000Z"),
        ev(a, "2026-06-10T10:02:00.000Z"),
      ]);
      expect((await buffer.fetchEvents(a)).map((e) => e.ts)).toEqual([
        "2026-06-10T10:00:00.000Z",
        "2026-06-10T10:02:00.000Z",
      ]);
      expect(await buffer.fetchEvents(b)).toHaveLength(1);
    });

    it("lists the users it holds", async () => {
      const u = user("listed");
      await buffer.append([ev(u, "2026-06-10T10:00:00.000Z")]);
      const users: string[] = [];
      for await (const id of buffer.users()) users.push(id);
      expect(users).toContain(u);
      expect(new Set(users).size).toBe(users.length);
    });
  });
}
