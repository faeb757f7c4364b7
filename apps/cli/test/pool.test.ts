import { resolveConfig } from "@recsys/core";
import { BB_NOW } from "@recsys/fakes";
import { afterAll, describe, expect, it } from "vitest";
import { readUserEvents } from "../src/events-file.js";
import { createPool, type ScoringPool } from "../src/pool.js";
import type { ScoringContext } from "../src/scoring.js";
import { generatedFiles, tempDir } from "./helpers.js";

describe("scoring pool on worker threads", () => {
  const dir = tempDir();
  const { catalog, events } = generatedFiles(dir, 300);
  const context: ScoringContext = {
    catalogPath: catalog,
    cfg: resolveConfig({}, {}),
    nowMs: BB_NOW,
    seed: 5,
    sampling: "random",
    limit: null,
    k: 10,
  };
  const pools: ScoringPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it("hands results on in input order, also when the consumer is slow and threads must wait", async () => {
    const byUser = await readUserEvents(
      events,
      { now: BB_NOW, windowDays: 30 },
      {
        events: 0,
        rejected: 0,
        firstRejection: null,
      },
    );
    const users = [...byUser];
    expect(users.length).toBe(300);
    const local = await createPool(context, 1);
    const threaded = await createPool(context, 2);
    pools.push(local, threaded);
    const expected: unknown[] = [];
    await local.run(
      "recommend",
      users,
      () => {},
      (r) => {
        expected.push(r);
      },
    );
    const got: unknown[] = [];
    let progress = 0;
    let inSink = 0;
    await threaded.run(
      "recommend",
      users,
      (n) => {
        progress += n;
      },
      async (r) => {
        // A slow consumer: results pile up unless threads are held back; one result at a time.
        inSink += 1;
        expect(inSink).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 2));
        got.push(r);
        inSink -= 1;
      },
    );
    expect(progress).toBe(300);
    expect(got.map((r) => (r as { user_id: string }).user_id)).toEqual(users.map(([id]) => id));
    expect(got).toEqual(expected);
  }, 60_000);

  it("keeps input order when an early chunk is much slower than the later ones", async () => {
    const byUser = await readUserEvents(
      events,
      { now: BB_NOW, windowDays: 30 },
      {
        events: 0,
        rejected: 0,
        firstRejection: null,
      },
    );
    // The first chunk's users carry 200 times their events: the other thread runs ahead and must wait.
    const users = [...byUser].map(([id, list], i): [string, string[]] => [
      id,
      i < 16 ? Array.from({ length: 200 }, () => list).flat() : list,
    ]);
    const local = await createPool(context, 1);
    const threaded = await createPool(context, 2);
    pools.push(local, threaded);
    const expected: unknown[] = [];
    await local.run(
      "usermodel",
      users,
      () => {},
      (r) => {
        expected.push(r);
      },
    );
    const got: unknown[] = [];
    await threaded.run(
      "usermodel",
      users,
      () => {},
      (r) => {
        got.push(r);
      },
    );
    expect(got).toEqual(expected);
  }, 60_000);

  it("a failing consumer fails the run", async () => {
    const threaded = await createPool(context, 2);
    pools.push(threaded);
    const users = [
      ...(await readUserEvents(
        events,
        { now: BB_NOW, windowDays: 30 },
        { events: 0, rejected: 0, firstRejection: null },
      )),
    ];
    await expect(
      threaded.run(
        "usermodel",
        users,
        () => {},
        () => {
          throw new Error("disk full");
        },
      ),
    ).rejects.toThrow("disk full");
  }, 60_000);
});
