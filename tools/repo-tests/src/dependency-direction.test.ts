import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function manifests(): Map<string, { dir: string; manifest: Manifest }> {
  const out = new Map<string, { dir: string; manifest: Manifest }>();
  for (const group of ["packages", "apps", "tools"]) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group))) {
      const dir = join(root, group, name);
      const file = join(dir, "package.json");
      try {
        const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
        out.set(manifest.name, { dir, manifest });
      } catch {
        // not a package
      }
    }
  }
  return out;
}

/** Allowed runtime and peer edges (workspace packages and third-party libraries) per package. */
const ALLOWED: Record<string, readonly string[]> = {
  "@recsys/ports": ["valibot"],
  "@recsys/core": ["@recsys/ports"],
  "@recsys/fakes": ["@recsys/ports", "@recsys/core", "vitest"],
  // float16 vectors of compact models (Node 20 has no Float16Array)
  "@recsys/adapters-redis": ["@recsys/ports", "@recsys/core", "ioredis", "@petamoriken/float16"],
  "@recsys/adapters-qdrant": ["@recsys/ports", "@recsys/core", "@qdrant/js-client-rest"],
};

const APPS = new Set(["@recsys/api", "@recsys/cli"]);

describe("dependency direction (docs/architecture.md)", () => {
  const all = manifests();

  it("finds the workspace packages", () => {
    expect([...all.keys()]).toEqual(
      expect.arrayContaining(["@recsys/ports", "@recsys/core", "@recsys/repo-tests"]),
    );
  });

  it("every library depends only on what its layer allows", () => {
    for (const [name, { manifest }] of all) {
      const allowed = ALLOWED[name];
      if (!allowed) continue;
      const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
      expect({ name, extra: deps.filter((d) => !allowed.includes(d)) }).toEqual({ name, extra: [] });
    }
  });

  it("no package imports an app (only the system tests under tools/ may), and only apps may be unlisted", () => {
    for (const [name, { manifest, dir }] of all) {
      if (dir.includes(`${join(root, "tools")}`)) continue;
      const deps = Object.keys({
        ...manifest.dependencies,
        ...manifest.devDependencies,
        ...manifest.peerDependencies,
      });
      expect({ name, apps: deps.filter((d) => APPS.has(d)) }).toEqual({ name, apps: [] });
      if (!manifest.private && name.startsWith("@recsys/")) expect(Object.keys(ALLOWED)).toContain(name);
    }
  });
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry) && !/\.test(-d)?\.ts$|\.test-support\.ts$/.test(entry)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const FORBIDDEN = new Set([
  ...builtinModules,
  "ioredis",
  "@qdrant/js-client-rest",
  "hono",
  "@hono/node-server",
]);

describe("core and ports stay pure", () => {
  for (const pkg of ["ports", "core"]) {
    it(`${pkg} source imports no Node built-in, driver or web framework`, () => {
      const dir = join(root, "packages", pkg, "src");
      const offenders: string[] = [];
      for (const file of sourceFiles(dir)) {
        const text = readFileSync(file, "utf8");
        for (const match of text.matchAll(IMPORT)) {
          const spec = match[1] ?? match[2] ?? "";
          const bare = spec.replace(/^node:/, "").split("/")[0] ?? "";
          const scoped = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : bare;
          if (spec.startsWith("node:") || FORBIDDEN.has(bare) || FORBIDDEN.has(scoped)) {
            offenders.push(`${relative(root, file)}: ${spec}`);
          }
          if (pkg === "core" && !spec.startsWith(".") && scoped !== "@recsys/ports") {
            offenders.push(`${relative(root, file)}: ${spec} (core may import @recsys/ports only)`);
          }
          if (pkg === "ports" && !spec.startsWith(".") && scoped !== "valibot") {
            offenders.push(`${relative(root, file)}: ${spec} (ports may import valibot only)`);
          }
        }
      }
      expect(offenders).toEqual([]);
    });
  }

  it("core and ports compile without Node types (lib ES2022, types [])", () => {
    for (const pkg of ["ports", "core"]) {
      const tsconfig = JSON.parse(readFileSync(join(root, "packages", pkg, "tsconfig.json"), "utf8"));
      expect(tsconfig.compilerOptions.types).toEqual([]);
      expect(tsconfig.compilerOptions.lib).toEqual(["ES2022"]);
    }
  });
});

interface TsConfig {
  compilerOptions?: { composite?: boolean };
  references?: { path: string }[];
}

function tsconfig(dir: string, file: string): TsConfig | undefined {
  const path = join(dir, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as TsConfig) : undefined;
}

/** The package directories a config references (`.` and `tsconfig.json` paths stand for their folder). */
function referenced(dir: string, config: TsConfig | undefined): string[] {
  return (config?.references ?? [])
    .map(({ path }) => relative(root, join(dir, path.replace(/\/?tsconfig(\.[a-z]+)?\.json$/, ""))))
    .sort();
}

describe("TypeScript project references mirror the workspace dependencies", () => {
  const all = manifests();
  const dirOf = (names: string[]) =>
    names
      .filter((n) => all.has(n))
      .map((n) => relative(root, all.get(n)!.dir))
      .sort();

  it("a package's source project references exactly its runtime workspace dependencies", () => {
    for (const [name, { dir, manifest }] of all) {
      const config = tsconfig(dir, "tsconfig.json");
      if (!config?.compilerOptions?.composite) continue;
      const deps = dirOf(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
      expect({ name, references: referenced(dir, config) }).toEqual({ name, references: deps });
    }
  });

  it("a package's test project references its own sources and every workspace dependency", () => {
    for (const [name, { dir, manifest }] of all) {
      const composite = tsconfig(dir, "tsconfig.json")?.compilerOptions?.composite === true;
      const config = composite ? tsconfig(dir, "tsconfig.test.json") : tsconfig(dir, "tsconfig.json");
      const runtime = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
      const dev = Object.keys(manifest.devDependencies ?? {});
      // The test project reaches runtime dependencies through its own source project.
      const expected = composite
        ? [relative(root, dir), ...dirOf(dev.filter((d) => !runtime.includes(d)))].sort()
        : dirOf([...runtime, ...dev]);
      expect({ name, references: referenced(dir, config) }).toEqual({ name, references: expected });
    }
  });

  it("the root solution builds every package's test project", () => {
    const solution = referenced(root, tsconfig(root, "tsconfig.json"));
    expect(solution).toEqual([...all.values()].map(({ dir }) => relative(root, dir)).sort());
  });
});
