// What the CLI benchmarks share: a generated world written to files, and `recsys recommend` run over it as
// a whole process (the built bin).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BB_NOW, type CatalogPoint, generateCatalog, generateEvents, serializeCatalog } from "@recsys/fakes";

/** A generated world on disk. */
export interface World {
  readonly dir: string;
  readonly points: CatalogPoint[];
  readonly catalog: string;
  readonly events: string;
  readonly calls: number;
}

/**
 * Generate a catalogue and users' traffic and write them to a new temporary directory.
 * @param items - catalogue size (384 dimensions)
 * @param users - how many users
 * @param eventsPerUser - RudderStack calls per user
 */
export function writeWorld(items: number, users: number, eventsPerUser: number): World {
  const dir = mkdtempSync(join(tmpdir(), "recsys-cli-bench-"));
  const points = generateCatalog({ items, dimension: 384, seed: 21, themes: 60 });
  const catalog = join(dir, "catalog.jsonl");
  writeFileSync(catalog, serializeCatalog(points));
  const events = join(dir, "events.jsonl");
  const calls = generateEvents({ catalog: points, users, eventsPerUser, endMs: BB_NOW, seed: 22 });
  writeFileSync(events, calls.map((c) => JSON.stringify(c)).join("\n"));
  return { dir, points, catalog, events, calls: calls.length };
}

/**
 * Run `recsys recommend` over a world (seed 1, the world's clock); returns the wall time in ms.
 * @param world - the world
 * @param args - more flags (`--workers`, `--user`, …)
 */
export function runRecommend(world: World, args: readonly string[]): number {
  const bin = join(import.meta.dirname, "..", "bin", "recsys");
  const started = process.hrtime.bigint();
  const result = spawnSync(
    bin,
    [
      "recommend",
      "--catalog",
      world.catalog,
      "--events",
      world.events,
      "--now",
      new Date(BB_NOW).toISOString(),
      "--seed",
      "1",
      "--out",
      join(world.dir, "out.jsonl"),
      ...args,
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return Number(process.hrtime.bigint() - started) / 1e6;
}
