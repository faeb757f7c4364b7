import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  repository?: { type: string; url: string; directory: string };
  homepage?: string;
  bugs?: { url: string };
  files?: string[];
  sideEffects?: boolean;
  type?: string;
  engines?: { node?: string };
  scripts?: Record<string, string>;
}

const published = readdirSync(join(root, "packages")).flatMap((name) => {
  const file = join(root, "packages", name, "package.json");
  if (!existsSync(file)) return [];
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  return manifest.private ? [] : [{ dir: join(root, "packages", name), name, manifest }];
});

describe("every published package is ready to publish", () => {
  it("finds the five libraries", () => {
    expect(published.map((p) => p.manifest.name).sort()).toEqual([
      "@recsys/adapters-qdrant",
      "@recsys/adapters-redis",
      "@recsys/core",
      "@recsys/fakes",
      "@recsys/ports",
    ]);
  });

  it.each(published.map((p) => [p.manifest.name, p] as const))("%s", (_, { dir, name, manifest }) => {
    expect(existsSync(join(dir, "LICENSE"))).toBe(true);
    expect(readFileSync(join(dir, "LICENSE"), "utf8")).toContain("MIT License");
    expect(manifest.license).toBe("MIT");
    expect(manifest.repository).toEqual({
      type: "git",
      url: expect.stringMatching(/^git\+https:/),
      directory: `packages/${name}`,
    });
    expect(manifest.homepage).toMatch(/^https:/);
    expect(manifest.bugs?.url).toMatch(/^https:/);
    expect(manifest).toMatchObject({ type: "module", sideEffects: false, engines: { node: ">=20.19" } });
    // No tests or test-support files in the tarball.
    expect(manifest.files).toEqual(
      expect.arrayContaining(["!src/**/*.test.ts", "!src/**/*.test-d.ts", "!src/**/*.test-support.ts"]),
    );
    expect(manifest.scripts?.["check:package"]).toBe("publint --strict && attw --pack . --profile esm-only");
  });
});
