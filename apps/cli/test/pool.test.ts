import { resolveConfig } from "@recsys/core";
import { BB_NOW } from "@recsys/fakes";
import { afterAll, describe, expect, it } from "vitest";
import { readUserEvents } from "../src/events-file.js";
import { createPool, type ScoringPool } from "../src/pool.js";
import type { ScoringContext } from "../src/scoring.js";
import type { Command } from "../src/worker.js";
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
    options: {},
    k: 10,
  };
  const pools: ScoringPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });
  const pool = async (workers: number) => {
    const created = await createPool(context, workers);
    pools.push(created);
    return created;
  };
  const fileUsers = async () => [
    ...(await readUserEvents(
      events,
      { now: BB_NOW, windowDays: 30 },
      { events: 0, rejected: 0, firstRejection: null, outsideWindow: 0 },
    )),
  ];
  /** Every result of a run on the main thread, in order. */
  const onMainThread = async (command: Command, users: [string, string[]][]) => {
    const results: unknown[] = [];
    await (await pool(1)).run(
      command,
      users,
      () => {},
      (r) => {
        results.push(r);
      },
    );
    return results;
  };

  it("hands results on in input order, also when the consumer is slow and threads must wait", async () => {
    const users = await fileUsers();
    expect(users.length).toBe(300);
    const got: unknown[] = [];
    let progress = 0;
    let inSink = 0;
    await (await pool(2)).run(
      "recommend",
      users,
      (n) => {
        progress += n;
      },
      async (r) => {
        // A slow consumer: one result at a time, and threads get new work only once it has caught up.
        inSink += 1;
        expect(inSink).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 2));
        got.push(r);
        inSink -= 1;
      },
    );
    expect(progress).toBe(300);
    expect(got.map((r) => (r as { user_id: string }).user_id)).toEqual(users.map(([id]) => id));
    expect(got).toEqual(await onMainThread("recommend", users));
  }, 60_000);

  it("keeps input order when an early chunk is much slower than the later ones", async () => {
    // The first chunk's users carry 200 times their events: the other thread runs ahead and must wait.
    const users = (await fileUsers()).map(([id, list], i): [string, string[]] => [
      id,
      i < 16 ? Array.from({ length: 200 }, () => list).flat() : list,
    ]);
    const got: unknown[] = [];
    await (await pool(2)).run(
      "usermodel",
      users,
      () => {},
      (r) => {
        got.push(r);
      },
    );
    expect(got).toEqual(await onMainThread("usermodel", users));
  }, 60_000);

  it("a failing consumer fails the run", async () => {
    const users = await fileUsers();
    const threaded = await pool(2);
    const failing = () => {
      throw new Error("disk full");
    };
    await expect(threaded.run("usermodel", users, () => {}, failing)).rejects.toThrow("disk full");
  }, 60_000);
});
