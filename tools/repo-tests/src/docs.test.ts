import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

/** Every file git tracks, except the lockfile. */
function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((file) => file !== "" && file !== "pnpm-lock.yaml");
}

describe("the repository stands on its own", () => {
  it("no file cites a document outside the repo", () => {
    // Built from parts, so this file does not match itself.
    const patterns = [`reference ${"§"}`, `design ${"§"}`, `../${"shared"}/`, `reference${".md"}`];
    const offenders: string[] = [];
    for (const file of trackedFiles()) {
      let text: string;
      try {
        text = readFileSync(join(root, file), "utf8");
      } catch {
        continue; // deleted in the working tree
      }
      for (const pattern of patterns) if (text.includes(pattern)) offenders.push(`${file}: ${pattern}`);
    }
    expect(offenders).toEqual([]);
  });

  it("every docs/behaviour.md section a comment cites exists", () => {
    const doc = readFileSync(join(root, "docs", "behaviour.md"), "utf8");
    const sections = new Set([...doc.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]));
    const appendices = new Set([...doc.matchAll(/^## Appendix ([A-Z])\./gm)].map((m) => m[1]));
    const missing: string[] = [];
    let cited = 0;
    for (const file of trackedFiles()) {
      if (!/\.(ts|md|mjs)$/.test(file) || file === "docs/behaviour.md") continue;
      let text: string;
      try {
        text = readFileSync(join(root, file), "utf8");
      } catch {
        continue;
      }
      for (const m of text.matchAll(
        /docs\/behaviour\.md (?:§(\d+(?:\.\d+)?)((?:[,–-] ?§\d+(?:\.\d+)?)*)|Appendix ([A-Z]))/g,
      )) {
        cited += 1;
        if (m[3]) {
          if (!appendices.has(m[3])) missing.push(`${file}: Appendix ${m[3]}`);
          continue;
        }
        const all = [m[1]!, ...[...(m[2] ?? "").matchAll(/§(\d+(?:\.\d+)?)/g)].map((x) => x[1]!)];
        for (const section of all) if (!sections.has(section)) missing.push(`${file}: §${section}`);
      }
    }
    expect(cited).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });
});
