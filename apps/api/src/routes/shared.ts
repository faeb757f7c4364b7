import type { Context } from "hono";
import { resolver } from "hono-openapi";
import type { AuthOptions } from "../auth.js";
import { HttpError, sendError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { ErrorSchema } from "../schemas.js";
import type { TenantDirectory } from "../tenants.js";

/** What every route group is built from. */
export interface RouteContext {
  /** The tenants: each request's components are `c.get("tenant")`, set by `resolveTenant`. */
  readonly tenants: TenantDirectory;
  /** Auth settings. */
  readonly auth: AuthOptions;
  /** The metrics registry. */
  readonly metrics: Metrics;
  /** Structured logs. */
  readonly log: Logger;
  /** The clock. */
  readonly clock: () => number;
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  /** Deepest accepted JSON nesting of an ingest body. */
  readonly maxDepth: number;
  /** Register a resource to release when the app closes (a worker thread, say). */
  readonly onClose: (release: () => Promise<void>) => void;
}

/**
 * An OpenAPI JSON content entry for a valibot schema.
 * @param schema - the schema
 */
export const json = (
  schema: Parameters<typeof resolver>[0],
): { "application/json": { schema: ReturnType<typeof resolver> } } => ({
  "application/json": { schema: resolver(schema) },
});

const ERROR_TEXT: Record<number, string> = {
  400: "Body is not valid JSON",
  401: "Missing or wrong X-API-Key",
  404: "Not found",
  413: "Body larger than the limit",
  422: "Invalid parameter or body (the field is named)",
  503: "A store is unavailable, or auth is not configured",
};

/**
 * OpenAPI error responses for the given status codes.
 * @param codes - status codes
 */
export const errorResponses = (
  ...codes: number[]
): Record<number, { description: string; content: ReturnType<typeof json> }> =>
  Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_TEXT[code] ?? "Error", content: json(ErrorSchema) }]),
  );

type Issue = {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
};

/**
 * The validator hook of every route: a failed validation answers 422 naming the first field.
 * @param result - the validation result
 * @param c - the context
 */
export function validationHook(
  result: { success: boolean; error?: unknown },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const issues = (Array.isArray(result.error) ? result.error : []) as Issue[];
  const fields = issues.map((issue) => {
    const field = (issue.path ?? [])
      .map((p) => String(typeof p === "object" && p !== null ? p.key : p))
      .join(".");
    return { field, message: issue.message };
  });
  const first = fields[0] ?? { field: "query", message: "invalid request" };
  return sendError(
    c,
    new HttpError(422, "invalid_argument", first.message, { field: first.field, issues: fields }),
  );
}

/**
 * Diagnostics with the runtime settings' version, when runtime settings changed anything (version 0, the
 * start-up settings, is left out, so the service's answers equal the CLI's).
 * @param diagnostics - a recommendation's diagnostics
 * @param version - the runtime settings' version in use
 */
export function withSettingsVersion<T extends object>(
  diagnostics: T,
  version: number,
): T & { settings_version?: number } {
  return version > 0 ? { ...diagnostics, settings_version: version } : diagnostics;
}
