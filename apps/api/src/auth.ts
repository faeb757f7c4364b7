import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./errors.js";

/** Auth settings (docs/behaviour.md §7.5). */
export interface AuthOptions {
  /** `RECSYS_API_KEY`: the key clients send as `X-API-Key`. */
  readonly apiKey?: string | undefined;
  /** `RECSYS_SERVING_REQUIRES_KEY=1`: recommend needs the key too. */
  readonly servingRequiresKey?: boolean;
  /** Dev mode (`RECSYS_DEV=1`, or the embedded default): guarded routes open when no key is set. */
  readonly dev?: boolean;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Constant-time comparison of two secrets (hashing first, so their lengths leak nothing).
 * @param a - one secret
 * @param b - the other
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The guard of a route: `write` routes (ingest, usermodel) always need the key when one is configured;
 * `serve` routes (recommend) only with `servingRequiresKey`. Without a configured key the guard fails
 * closed (503) unless in dev mode, and a presented key is refused (401).
 * @param kind - `write` or `serve`
 * @param options - key, serving flag, dev mode
 */
export function guard(kind: "write" | "serve", options: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (kind === "serve" && !options.servingRequiresKey) return next();
    const presented = c.req.header("x-api-key");
    if (options.apiKey) {
      if (presented !== undefined && safeEqual(presented, options.apiKey)) return next();
      throw new HttpError(401, "unauthorized", "invalid or missing X-API-Key");
    }
    if (presented !== undefined)
      throw new HttpError(401, "unauthorized", "X-API-Key given, but no key is configured");
    if (options.dev) return next();
    throw new HttpError(503, "auth_not_configured", "server auth not configured (RECSYS_API_KEY unset)");
  };
}
