import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCatalog, writePackedCatalog } from "@recsys/fakes";
import { interactionEvent, safeParseUserSignals, type UserSignals } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { buildComponents } from "../src/components.js";

const emptySignals = (safeParseUserSignals({ user_id: "x" }) as { output: UserSignals }).output;

describe("buildComponents", () => {
  it("runs on the embedded default with the BB dev fixtures", async () => {
    const c = await buildComponents({}, {});
    expect(c.mode).toBe("embedded");
    expect(c.description).toContain("BB dev fixtures, 8 items");
    expect(c.cfg.final_limit).toBe(10);
  });

  it("loads the catalogue named by RECSYS_CATALOG and applies RECSYS_* and explicit config", async () => {
    const dir = mkdtempSync(join(tmpdir(), "recsys-"));
    const file = join(dir, "catalog.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ id: 1, vector: [1, 0], payload: { title: "One" } })}\n${JSON.stringify({ id: 2, vector: [0, 1], payload: {} })}\n`,
    );
    const c = await buildComponents(
      { final_limit: 4 },
      { RECSYS_CATALOG: file, RECSYS_W_TAG: "0.6", RECSYS_FINAL_LIMIT: "8" },
    );
    expect(c.description).toContain("2 items");
    expect(c.cfg.fusion.tag).toBe(0.6);
    expect(c.cfg.final_limit).toBe(4);
    expect((await c.contentStore.get(["1"])).get("1")?.title).toBe("One");
  });

  it("serves a packed catalogue's vectors from its file under the index, or held with RECSYS_CATALOG_VECTORS=memory", async () => {
    const packed = join(mkdtempSync(join(tmpdir(), "recsys-")), "packed");
    const points = generateCatalog({ items: 60, dimension: 8, seed: 3 });
    await writePackedCatalog(points, packed, { annIndex: true });
    const env = { RECSYS_CATALOG: packed, RECSYS_ANN_THRESHOLD: "10" };
    const file = await buildComponents({}, env);
    const memory = await buildComponents({}, { ...env, RECSYS_CATALOG_VECTORS: "memory" });
    expect(file.description).toContain(
      "60 items, usearch HNSW (i8, M 16, ef 64) vector search, vectors read from the packed file)",
    );
    expect(memory.description).toContain("60 items, usearch HNSW (i8, M 16, ef 64) vector search)");
    const query = [{ kind: "vector" as const, vector: [...points[4]!.vector], limit: 5 }];
    const plain = (hits: Awaited<ReturnType<typeof file.contentStore.query>>) =>
      hits[0]!.map((hit) => [hit.id, hit.score, [...hit.vector!]]);
    expect(plain(await file.contentStore.query(query))).toEqual(
      plain(await memory.contentStore.query(query)),
    );
    await expect(buildComponents({}, { ...env, RECSYS_CATALOG_VECTORS: "disk" })).rejects.toThrow(
      'RECSYS_CATALOG_VECTORS: expected file or memory, got "disk"',
    );
  });

  it("the event buffer trims its window by the given clock, and the app stamps events with it", async () => {
    const DAY = 86_400_000;
    const event = (user: string, ms: number) =>
      interactionEvent({ user_id: user, event: "CONTENT_VIEW_STARTED", ts: new Date(ms).toISOString() });
    const now = Date.UTC(2020, 0, 31);
    const c = await buildComponents({}, {}, { clock: () => now });
    expect(c.clock()).toBe(now);
    await c.eventBuffer.append([event("u", now - DAY), event("u", now - 31 * DAY)]);
    expect((await c.eventBuffer.fetchEvents("u")).map((e) => e.ts)).toEqual([
      new Date(now - DAY).toISOString(),
    ]);
    // On the wall clock, both events are years old.
    const wall = await buildComponents({}, {});
    await wall.eventBuffer.append([event("u", now - DAY)]);
    expect(await wall.eventBuffer.fetchEvents("u")).toEqual([]);
  });

  it("bounds the embedded stores: RECSYS_MEMORY_MAX_USERS users, models expire after model_ttl_days", async () => {
    const DAY = 86_400_000;
    let now = Date.UTC(2026, 0, 31);
    const event = (user: string) =>
      interactionEvent({ user_id: user, event: "CONTENT_VIEW_STARTED", ts: new Date(now).toISOString() });
    const c = await buildComponents(
      { model_ttl_days: 2 },
      { RECSYS_MEMORY_MAX_USERS: "2" },
      { clock: () => now },
    );
    for (const user of ["a", "b", "c"]) await c.eventBuffer.append([event(user)]);
    expect(await c.eventBuffer.fetchEvents("a")).toEqual([]);
    expect((await c.eventBuffer.fetchEvents("c")).length).toBe(1);
    await c.modelStore.saveSignals({ ...emptySignals, user_id: "c" });
    now += 2 * DAY - 1;
    expect((await c.modelStore.getSignals("c"))?.user_id).toBe("c");
    now += 1;
    expect(await c.modelStore.getSignals("c")).toBeNull();
  });

  it("fails with a clear message for a bad catalogue or a bad variable", async () => {
    await expect(buildComponents({}, { RECSYS_CATALOG: "/nonexistent/catalog.jsonl" })).rejects.toThrow(
      "/nonexistent/catalog.jsonl: cannot read catalogue (ENOENT)",
    );
    await expect(buildComponents({}, { RECSYS_W_TAG: "heavy" })).rejects.toThrow(
      'RECSYS_W_TAG: expected a number, got "heavy"',
    );
  });
});
