#!/usr/bin/env node
// Compare the recommend benchmark of this checkout with an earlier commit, in one run on one machine:
// the earlier commit is checked out in a temporary git worktree, and the two benchmarks run alternately
// (A B A B …) so that both see the same machine load. Prints the mean of each round and the ratio.
//
//   node scripts/bench-compare.mjs --base <rev> [--rounds 4]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { base: { type: "string" }, rounds: { type: "string", default: "4" } },
});
if (!values.base) {
  console.error("usage: node scripts/bench-compare.mjs --base <rev> [--rounds N]");
  process.exit(2);
}
const head = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
const rev = execFileSync("git", ["rev-parse", "--short", values.base], { encoding: "utf8" }).trim();
const base = join(tmpdir(), `recsys-bench-${rev}`);
if (!existsSync(base)) {
  execFileSync("git", ["worktree", "add", "--detach", base, rev], { cwd: head, stdio: "inherit" });
}
execFileSync("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], { cwd: base, stdio: "inherit" });

/** Run the fakes recommend benchmark in a tree; return task name → mean ms, read from its table. */
function bench(tree) {
  const run = spawnSync("pnpm", ["--filter", "@recsys/fakes", "bench"], { cwd: tree, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`bench failed in ${tree}:\n${run.stderr}`);
  const rows = {};
  for (const line of run.stdout.split("\n")) {
    const cells = line.split("│").map((c) => c.trim().replace(/^'|'$/g, ""));
    if (cells.length < 5 || !/^\d/.test(cells[3] ?? "")) continue;
    rows[cells[2]] = Number(cells[3]);
  }
  return rows;
}

const pick = (rows, pattern) => {
  const key = Object.keys(rows).find((k) => pattern.test(k));
  if (key === undefined) throw new Error(`no row ${pattern} in ${JSON.stringify(rows)}`);
  return rows[key];
};

const results = [];
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [label, tree] of [
    [`base ${rev}`, base],
    ["head", head],
  ]) {
    const rows = bench(tree);
    const result = {
      round,
      tree: label,
      scan: pick(rows, /brute-force/),
      warm: pick(rows, /warm/),
      cold: pick(rows, /cold/),
    };
    results.push(result);
    console.error(JSON.stringify(result));
  }
}
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const of = (tree, key) => results.filter((r) => r.tree === tree).map((r) => r[key]);
const baseName = `base ${rev}`;
const table = [baseName, "head"].map((tree) => ({
  tree,
  "scan ms (median)": median(of(tree, "scan")).toFixed(3),
  "warm ms (median)": median(of(tree, "warm")).toFixed(3),
  "cold ms (median)": median(of(tree, "cold")).toFixed(3),
  "warm × own scan (median)": median(of(tree, "warm").map((w, i) => w / of(tree, "scan")[i])).toFixed(3),
}));
console.table(table);
// Paired per round: the two trees ran back to back, so their ratio cancels most of the machine's drift.
const paired = (key) => median(of("head", key).map((h, i) => h / of(baseName, key)[i]));
const pairedOwnScan = median(
  of("head", "warm").map(
    (h, i) => h / of("head", "scan")[i] / (of(baseName, "warm")[i] / of(baseName, "scan")[i]),
  ),
);
console.log(
  `head / base, median of ${values.rounds} paired rounds: warm ${paired("warm").toFixed(3)}, cold ${paired("cold").toFixed(3)}, scan ${paired("scan").toFixed(3)}; warm relative to each run's own scan ${pairedOwnScan.toFixed(3)}`,
);
