// Sums every package's vitest JSON report and prints the closing line CI reads: "N passed, N failed".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;
// Skipped tests are allowed only when their suite says why (e.g. "real Qdrant (skipped: QDRANT_API_URL is
// not set)"); any other skip fails the run, so a skipped test is never counted as passing.
const reasons = new Map();
let unexplained = 0;
for (const group of ["packages", "apps", "tools"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const file = join(group, name, ".vitest-result.json");
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    reports += 1;
    passed += report.numPassedTests;
    // A file that fails to load counts as a failed suite with no failed test: count it once.
    failed += report.numFailedTests || report.numFailedTestSuites || 0;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    for (const suite of report.testResults ?? []) {
      for (const test of suite.assertionResults ?? []) {
        if (!["pending", "skipped", "todo"].includes(test.status)) continue;
        const reason = [...(test.ancestorTitles ?? []), test.title ?? ""]
          .map((t) => /\(skipped: ([^)]+)\)/.exec(t)?.[1])
          .find(Boolean);
        if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        else unexplained += 1;
      }
    }
  }
}
console.log(`test reports: ${reports}`);
for (const [reason, count] of reasons) console.log(`skipped ${count}: ${reason}`);
if (unexplained > 0) console.log(`${unexplained} skipped test(s) without a stated reason`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed + failed === 0 || failed > 0 || unexplained > 0) process.exit(1);
