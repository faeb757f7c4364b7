import * as v from "valibot";

/**
 * The dotted path of a valibot issue (`fusion.tag`, `positives.101`), empty for the root.
 * @param issue - a valibot issue
 */
export function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((item) => String(item.key)).join(".");
}

/** The outcome of {@link safeParseWith}: the typed value, or the first problem as `path: message`. */
export type ParseResult<T> =
  | { readonly success: true; readonly output: T }
  | { readonly success: false; readonly message: string };

/**
 * Validate a value against a schema, reporting the first problem as `path: message`.
 * @param schema - the valibot schema
 * @param value - the value
 * @param root - what to call the value when the problem is at its root
 */
export function safeParseWith<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  root: string,
): ParseResult<v.InferOutput<S>> {
  const result = v.safeParse(schema, value);
  if (result.success) return { success: true, output: result.output };
  const issue = result.issues[0];
  return { success: false, message: `${issuePath(issue) || root}: ${issue.message}` };
}
