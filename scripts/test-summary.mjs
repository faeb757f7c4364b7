// Sums every package's vitest JSON report and prints the closing line CI reads: "N passed, N failed".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0;
let failed = 0;
let skipped = 0;
let reports = 0;
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
  }
}
console.log(`test reports: ${reports}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed + failed === 0 || failed > 0 || skipped > 0) process.exit(1);
