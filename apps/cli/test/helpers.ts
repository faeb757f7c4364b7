import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  BB_NOW,
  BB_POINTS,
  generateCatalog,
  generateEvents,
  rudderstackViews,
  serializeCatalog,
} from "@recsys/fakes";
import { run } from "../src/run.js";

/** A fresh temporary directory. */
export const tempDir = () => mkdtempSync(join(tmpdir(), "recsys-cli-"));

/** Write rows as JSON Lines. */
export function writeJsonl(path: string, rows: readonly unknown[]): string {
  writeFileSync(path, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return path;
}

/** The BB world on disk: catalogue, and the docs/behaviour.md Appendix B visitor's views as one ingest body per line. */
export function bbFiles(dir: string) {
  const catalog = join(dir, "bb.jsonl");
  writeFileSync(catalog, serializeCatalog(BB_POINTS));
  const hour = 3_600_000;
  const events = writeJsonl(join(dir, "bb-events.jsonl"), [
    [...rudderstackViews("visitor-b", "101", 120, "next_button", BB_NOW - hour)],
    { batch: rudderstackViews("visitor-b", "102", 120, "next_button", BB_NOW - hour) },
    ...rudderstackViews("visitor-c", "301", 1, "abandon", BB_NOW - hour),
  ]);
  return { catalog, events };
}

/** A seeded generated world on disk. */
export function generatedFiles(dir: string, users = 150, items = 400, dimension = 16) {
  const points = generateCatalog({ items, dimension, seed: 11, themes: 12 });
  const catalog = join(dir, "gen.jsonl");
  writeFileSync(catalog, serializeCatalog(points));
  const calls = generateEvents({ catalog: points, users, eventsPerUser: 16, endMs: BB_NOW, seed: 13 });
  const events = writeJsonl(join(dir, "gen-events.jsonl"), calls);
  return { catalog, events, calls, points };
}

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

/** Run the CLI in-process. */
export async function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
  stdin?: NodeJS.ReadableStream,
) {
  const out = sink();
  const err = sink();
  const code = await run(args, { stdout: out.stream, stderr: err.stream, env, ...(stdin ? { stdin } : {}) });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** The CLI from its TypeScript sources as one node process (what `bin/recsys` runs once built). */
const app = join(import.meta.dirname, "..");
const fromSources = (args: string[]) => [
  "--import",
  join(app, "node_modules", "tsx", "dist", "loader.mjs"),
  "--conditions=@recsys/source",
  join(app, "src", "main.ts"),
  ...args,
];

/** Run the CLI as a process (from sources), e.g. to use worker threads. */
export function cliProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, fromSources(args), { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The `recsys` binary, started as a child process (the caller drives its streams). */
export function spawnCli(args: string[]) {
  return spawn(process.execPath, fromSources(args), { env: process.env });
}

/** docs/behaviour.md Appendix B's clock, as an ISO string. */
export const BB_NOW_ISO = new Date(BB_NOW).toISOString();
