import type * as v from "valibot";

/**
 * The dotted path of a valibot issue (`fusion.tag`, `positives.101`), empty for the root.
 * @param issue - a valibot issue
 */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((item) => String(item.key)).join(".");
}
