// Every runnable example of every package README runs as written: each ```ts block (fragments are
// marked ```ts fragment) is written to a file here and run with node, against a real redis-server and the
// Qdrant protocol server, as a reader would paste it.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { startQdrantProtocolServer } from "@recsys/adapters-qdrant/testing";
import { startRedisServer, type TestRedisServer } from "@recsys/adapters-redis/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");
const here = import.meta.dirname;

function examples(): { readme: string; index: number; code: string }[] {
  const out: { readme: string; index: number; code: string }[] = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group))) {
      let text: string;
      try {
        text = readFileSync(join(root, group, name, "README.md"), "utf8");
      } catch {
        continue;
      }
      let index = 0;
      for (const m of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
        out.push({ readme: `${group}/${name}/README.md`, index: index++, code: m[1]! });
      }
    }
  }
  return out;
}

let redis: TestRedisServer;
let qdrant: Awaited<ReturnType<typeof startQdrantProtocolServer>>;
beforeAll(async () => {
  redis = await startRedisServer();
  qdrant = await startQdrantProtocolServer();
});
afterAll(async () => {
  await redis?.stop();
  await qdrant?.close();
});

const all = examples();

describe("README examples run as written", () => {
  it("finds the examples of every library package", () => {
    const readmes = new Set(all.map((e) => e.readme));
    for (const pkg of ["ports", "core", "fakes", "adapters-redis", "adapters-qdrant"]) {
      expect(readmes).toContain(`packages/${pkg}/README.md`);
    }
  });

  it.each(all.map((e) => [`${e.readme} #${e.index + 1}`, e] as const))(
    "%s",
    async (_, example) => {
      const file = join(here, `.readme-${example.readme.replace(/\W+/g, "-")}-${example.index}.mts`);
      writeFileSync(file, example.code);
      try {
        const { stdout } = await run(
          process.execPath,
          ["--import", "tsx/esm", "--conditions=@recsys/source", file],
          {
            cwd: here,
            timeout: 60_000,
            env: {
              ...process.env,
              REDIS_URL: redis.url,
              QDRANT_API_URL: qdrant.url,
            },
          },
        );
        expect(stdout.trim().length).toBeGreaterThan(0);
      } finally {
        rmSync(file, { force: true });
      }
    },
    90_000,
  );
});
