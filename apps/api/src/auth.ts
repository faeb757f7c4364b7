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
 * The key a request presents: `X-API-Key`, else `Authorization: Bearer <key>`, else
 * `Authorization: Basic base64(<key>:)` (RudderStack SDKs send their write key as the user name; a key
 * given as the password with an empty user name is accepted too).
 * @param header - reads a request header
 * @returns the key, or undefined when none is presented
 */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const apiKey = header("x-api-key");
  if (apiKey !== undefined) return apiKey;
  const authorization = header("authorization")?.trim();
  if (!authorization) return undefined;
  const [scheme = "", value = ""] = authorization.split(/\s+/, 2);
  if (scheme.toLowerCase() === "bearer") return value;
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    const password = colon === -1 ? "" : decoded.slice(colon + 1);
    return user !== "" ? user : password;
  }
  return authorization;
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
    const presented = presentedKey((name) => c.req.header(name));
    if (options.apiKey) {
      if (presented !== undefined && safeEqual(presented, options.apiKey)) return next();
      throw new HttpError(
        401,
        "unauthorized",
        "invalid or missing key (X-API-Key, Authorization: Bearer, or Basic with the key as user name)",
      );
    }
    if (presented !== undefined)
      throw new HttpError(401, "unauthorized", "a key was given, but no key is configured");
    if (options.dev) return next();
    throw new HttpError(503, "auth_not_configured", "server auth not configured (RECSYS_API_KEY unset)");
  };
}

/**
 * Whether a request comes from an operator: it presents the API key (or, with no key configured, the
 * service runs in dev mode). Operators' look-ups may ask not to be recorded (`X-Recsys-Operator: 1`).
 * @param header - reads a request header
 * @param options - the auth settings
 */
export function isOperator(header: (name: string) => string | undefined, options: AuthOptions): boolean {
  if (!options.apiKey) return options.dev === true;
  const presented = presentedKey(header);
  return presented !== undefined && safeEqual(presented, options.apiKey);
}
