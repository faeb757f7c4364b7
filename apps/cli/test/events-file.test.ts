import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BB_NOW } from "@recsys/fakes";
import { canonicalEventJson, interactionEvent } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { eventTexts, passBucket, type ReadStats, readPasses, readUserEvents } from "../src/events-file.js";
import { generatedFiles, spawnCli, tempDir } from "./helpers.js";

const newStats = (): ReadStats => ({ events: 0, rejected: 0, firstRejection: null, outsideWindow: 0 });

describe("readPasses", () => {
  const dir = tempDir();
  const { calls } = generatedFiles(dir);
  const events = join(dir, "three-times.jsonl");
  const text = calls.map((c) => JSON.stringify(c)).join("\n");
  writeFileSync(events, [text, text, text].join("\n"));
  const read = { now: BB_NOW, windowDays: 30 };

  it("splits a file bigger than the budget into passes of whole users, in bucket order, same events", async () => {
    const whole = await readUserEvents(events, read, newStats());
    const spillDir = join(dir, "spill");
    mkdirSync(spillDir);
    const stats = newStats();
    const passes: Map<string, string[]>[] = [];
    for await (const pass of readPasses(events, 1024 * 1024, { ...read, tmpDir: spillDir }, stats)) {
      expect(readdirSync(spillDir)).toHaveLength(1);
      passes.push(new Map(pass));
    }
    expect(passes.length).toBeGreaterThan(1);
    const seen = passes.flatMap((p) => [...p.keys()]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...whole.keys()].sort());
    for (const pass of passes) for (const [user, list] of pass) expect(list).toEqual(whole.get(user));
    // Passes are consecutive ranges of buckets.
    const ranges = passes.map((p) => [...p.keys()].map(passBucket));
    for (let i = 1; i < ranges.length; i++)
      expect(Math.min(...ranges[i]!)).toBeGreaterThan(Math.max(...ranges[i - 1]!));
    // Exact replays are stored once: the same count as one copy of the file.
    expect(stats.events).toBe([...whole.values()].reduce((n, l) => n + l.length, 0));
    expect(readdirSync(spillDir)).toEqual([]);
  });

  it("removes its temporary files when the consumer stops early", async () => {
    const spillDir = join(dir, "spill-early");
    mkdirSync(spillDir);
    for await (const pass of readPasses(events, 1024 * 1024, { ...read, tmpDir: spillDir }, newStats())) {
      expect(pass.size).toBeGreaterThan(0);
      break;
    }
    expect(readdirSync(spillDir)).toEqual([]);
  });

  it("reads a file within the budget in one pass without temporary files", async () => {
    const spillDir = join(dir, "spill-none");
    mkdirSync(spillDir);
    const passes = [];
    for await (const pass of readPasses(events, 64 * 1024 * 1024, { ...read, tmpDir: spillDir }, newStats()))
      passes.push(pass.size);
    expect(passes).toEqual([150]);
  });
});

describe("temporary files of an interrupted run", () => {
  const dir = tempDir();
  const { catalog, calls } = generatedFiles(dir);
  const events = join(dir, "three-times.jsonl");
  const text = calls.map((c) => JSON.stringify(c)).join("\n");
  writeFileSync(events, [text, text, text].join("\n"));

  const start = (spillDir: string) => {
    mkdirSync(spillDir);
    const args = ["--catalog", catalog, "--events", events, "--now", new Date(BB_NOW).toISOString()];
    return spawnCli(["recommend", ...args, "--workers", "1", "--memory-budget", "1", "--tmp-dir", spillDir]);
  };
  /** Wait until the run has its temporary folder (it then blocks on the unread output pipe). */
  const spilling = async (spillDir: string) => {
    while (readdirSync(spillDir).length === 0) await new Promise((r) => setTimeout(r, 20));
  };
  const exited = (child: ReturnType<typeof spawnCli>) =>
    new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  it("SIGTERM removes them and exits 143", async () => {
    const spillDir = join(dir, "term");
    const child = start(spillDir);
    const done = exited(child);
    await spilling(spillDir);
    child.kill("SIGTERM");
    expect(await done).toBe(143);
    expect(readdirSync(spillDir)).toEqual([]);
  }, 30_000);

  it("a closed output pipe ends the run quietly and removes them", async () => {
    const spillDir = join(dir, "pipe");
    const child = start(spillDir);
    const done = exited(child);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    await spilling(spillDir);
    child.stdout.destroy();
    expect(await done).toBe(0);
    expect(stderr).toBe("");
    expect(readdirSync(spillDir)).toEqual([]);
  }, 30_000);
});

describe("eventTexts", () => {
  it("gives an event's canonical JSON, and the same with an empty raw, exactly as canonicalEventJson does", () => {
    // A small deterministic generator: every optional field set or not, raw empty, flat, nested, unicode.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const raws = [
      {},
      { messageId: "m-1" },
      { properties: { content: { content_id: "content_101" }, details: { dwell_seconds: 30 } } },
      { context: { library: { name: "analytics-node" }, locale: "nl-NL" }, text: '“quoted” é \\ "x"' },
      { list: [1, "two", { three: [3] }], nothing: null },
    ];
    for (let i = 0; i < 300; i++) {
      const event = interactionEvent({
        user_id: `u${next(5)}`,
        event: ["CONTENT_VIEW_STARTED", "CONTENT_VIEW_ENDED", "IDENTIFY"][next(3)]!,
        ts: new Date(Date.UTC(2026, 5, 10) + next(100_000) * 1000).toISOString(),
        ...(next(2) ? { content_id: String(100 + next(10)) } : {}),
        ...(next(2) ? { dwell_seconds: next(300) / 7 } : {}),
        ...(next(2) ? { end_reason: "next_button" as const } : {}),
        ...(next(3) === 0 ? { impressions: ["101", "102"] } : {}),
        ...(next(3) === 0 ? { survey_answers: { q1: "ja", rating: 4 } } : {}),
        raw: raws[next(raws.length)]!,
      });
      const texts = eventTexts(event);
      expect(texts.full).toBe(canonicalEventJson({ ...event }));
      expect(texts.withoutRaw).toBe(canonicalEventJson({ ...event, raw: {} }));
    }
  });
});
