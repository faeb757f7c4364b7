import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { run } from "@recsys/cli";
import { BB_NOW, generateCatalog, generateEvents, serializeCatalog } from "@recsys/fakes";

/** A fresh temporary directory. */
export const tempDir = () => mkdtempSync(join(tmpdir(), "recsys-system-"));

/** Write rows as JSON Lines. */
export function writeJsonl(path: string, rows: readonly unknown[]): string {
  writeFileSync(path, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return path;
}

/** docs/behaviour.md Appendix B's clock, as an ISO string. */
export const BB_NOW_ISO = new Date(BB_NOW).toISOString();

/** A seeded generated world on disk. */
export function generatedFiles(dir: string, users: number, items: number, dimension: number) {
  const points = generateCatalog({ items, dimension, seed: 11, themes: 12 });
  const catalog = join(dir, "gen.jsonl");
  writeFileSync(catalog, serializeCatalog(points));
  const calls = generateEvents({ catalog: points, users, eventsPerUser: 16, endMs: BB_NOW, seed: 13 });
  return { catalog, calls, points };
}

/**
 * Run the CLI in this process with captured output.
 * @param args - the command line
 * @param env - its environment (default none)
 */
export async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) =>
    new Writable({
      write: (chunk, _e, done) => {
        append(String(chunk));
        done();
      },
    });
  const stdoutStream = sink((s) => {
    stdout += s;
  });
  const stderrStream = sink((s) => {
    stderr += s;
  });
  const code = await run(args, { stdout: stdoutStream, stderr: stderrStream, env });
  return { code, stdout, stderr };
}
