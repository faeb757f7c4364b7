import { ConfigError, InvalidArgumentError, StoreUnavailableError } from "@recsys/ports";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The JSON error body of every failed request. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** An error that maps to one HTTP status and JSON body. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details: unknown;
  /** Response headers the error is sent with (`Retry-After`, say). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    details?: unknown,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/**
 * Map any thrown error to a status and body, once, for the whole app.
 * @param error - what was thrown
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (StoreUnavailableError.isInstance(error)) {
    // Name the store; the driver's own message (timeouts, addresses) goes to the log, not to clients.
    return new HttpError(503, "store_unavailable", `the ${error.store} store is unavailable`, {
      store: error.store,
    });
  }
  if (InvalidArgumentError.isInstance(error)) {
    return new HttpError(
      422,
      "invalid_argument",
      error.message,
      error.field ? { field: error.field } : undefined,
    );
  }
  if (ConfigError.isInstance(error)) return new HttpError(500, "config_error", error.message);
  return new HttpError(500, "internal_error", "internal error");
}

/**
 * Send an error as JSON.
 * @param c - the context
 * @param error - the error
 * @param headers - extra response headers (e.g. `Allow`)
 */
export function sendError(c: Context, error: HttpError, headers: Record<string, string> = {}): Response {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  return c.json(body, error.status, { ...error.headers, ...headers });
}
