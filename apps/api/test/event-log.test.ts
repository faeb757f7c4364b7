import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rudderstackViews } from "@recsys/fakes";
import { interactionEvent } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { DurableLog } from "../src/event-log.js";
import { embeddedComponents } from "./helpers.js";

const dir = () => mkdtempSync(join(tmpdir(), "recsys-log-"));
const files = (root: string) =>
  (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".jsonl")).sort();
const event = (n: number, day: string) =>
  interactionEvent({
    user_id: `u${n % 7}`,
    event: "CONTENT_VIEW_STARTED",
    ts: `${day}T10:00:00.${String(n % 1000).padStart(3, "0")}Z`,
    content_id: String(n),
  });

describe("the durable event log (docs/behaviour.md §7.6)", () => {
  it("writes whole JSON lines into day segments, rotated past the size limit, under concurrent appends", async () => {
    const root = dir();
    const log = new DurableLog(root, { maxSegmentBytes: 4096, sync: false });
    const days = ["2026-06-09", "2026-06-10"];
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        log.appendEvents([event(2 * i, days[i % 2]!), event(2 * i + 1, days[i % 2]!)]),
      ),
    );
    await log.close();
    const segments = files(root);
    expect(segments.every((f) => /^events\/date=2026-06-(09|10)\/part-.+-\d{4}\.jsonl$/.test(f))).toBe(true);
    expect(segments.length).toBeGreaterThan(2); // rotated
    const lines = segments.flatMap((f) => readFileSync(join(root, f), "utf8").trim().split("\n"));
    expect(lines).toHaveLength(120);
    const parsed = lines.map((line) => JSON.parse(line) as { content_id: string; ts: string });
    expect(new Set(parsed.map((e) => e.content_id)).size).toBe(120);
    for (const f of segments) {
      const day = /date=([\d-]+)/.exec(f)![1]!;
      for (const line of readFileSync(join(root, f), "utf8").trim().split("\n"))
        expect((JSON.parse(line) as { ts: string }).ts.startsWith(day)).toBe(true);
    }
    await expect(log.appendEvents([event(1, days[0]!)])).rejects.toThrow(/closed/);
  });

  it("an ingest whose events cannot be logged answers 503 and stores nothing", async () => {
    const root = dir();
    const blocked = join(root, "not-a-directory");
    writeFileSync(blocked, "");
    const base = embeddedComponents();
    const components = { ...base, eventLog: new DurableLog(blocked) };
    const app = createApp(components, { dev: true, logger: () => {} });
    const res = await app.request("/recsys/api/ingest", {
      method: "POST",
      body: JSON.stringify(rudderstackViews("u", "101", 60, "next_button", Date.now() - 60_000)),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { details: { store: string } } }).error.details.store).toBe(
      "event_log",
    );
    expect(await components.eventBuffer.fetchEvents("u")).toEqual([]);
  });
});
