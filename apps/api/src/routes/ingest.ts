import { promisify } from "node:util";
import { gunzip, inflate, inflateRaw } from "node:zlib";
import { callsOf, normalizeEvents, parseEventsJson, type RejectedEvent } from "@recsys/core";
import { type InteractionEvent, StoreUnavailableError } from "@recsys/ports";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute } from "hono-openapi";
import { guard } from "../auth.js";
import { HttpError } from "../errors.js";
import { IngestBodySchema, IngestResponseSchema } from "../schemas.js";
import { errorResponses, json, type RouteContext } from "./shared.js";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);

/** How many rejected items an answer lists (the total is always given). */
export const MAX_LISTED_REJECTIONS = 100;
/** Calls normalised between two turns of the event loop, so other requests are served meanwhile. */
const CHUNK = 2000;

/**
 * Content types a JSON body may arrive with. RudderStack's Node SDK posts gzip with
 * `application/x-www-form-urlencoded` (axios' default for a Buffer), beacons use `text/plain`; anything
 * else (XML, forms with parts, HTML, images) is refused with 415.
 */
function acceptableType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const type = header.split(";")[0]!.trim().toLowerCase();
  return (
    type === "" ||
    type === "application/json" ||
    type.endsWith("+json") ||
    type === "text/plain" ||
    type === "application/x-www-form-urlencoded" ||
    type === "application/octet-stream"
  );
}

/**
 * The request body as text: decompressed (`gzip`, `deflate`), never larger than `maxBytes` once
 * decompressed (a decompression bomb stops at the limit, in bounded memory: 413).
 */
async function bodyText(c: Context, maxBytes: number): Promise<string> {
  const type = c.req.header("content-type");
  if (!acceptableType(type)) {
    throw new HttpError(415, "unsupported_media_type", `Content-Type ${type} is not JSON`, {
      field: "content-type",
    });
  }
  const encoding = (c.req.header("content-encoding") ?? "identity").trim().toLowerCase();
  const raw = Buffer.from(await c.req.arrayBuffer());
  if (encoding === "identity" || encoding === "") return raw.toString("utf8");
  const options = { maxOutputLength: maxBytes };
  try {
    if (encoding === "gzip" || encoding === "x-gzip")
      return (await gunzipAsync(raw, options)).toString("utf8");
    if (encoding === "deflate") {
      // RFC 9110's deflate is zlib-wrapped; some clients send raw deflate.
      const out = await inflateAsync(raw, options).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "Z_DATA_ERROR") return inflateRawAsync(raw, options);
        throw error;
      });
      return out.toString("utf8");
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof RangeError || code === "ERR_BUFFER_TOO_LARGE") {
      throw new HttpError(413, "payload_too_large", `decompressed body is larger than ${maxBytes} bytes`);
    }
    throw new HttpError(400, "invalid_encoding", `body is not valid ${encoding} data`, {
      field: "content-encoding",
    });
  }
  throw new HttpError(415, "unsupported_media_type", `Content-Encoding ${encoding} is not supported`, {
    field: "content-encoding",
  });
}

function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What normalising an ingest body gave: the events, the first rejections listed and their total. */
interface Normalized {
  readonly events: InteractionEvent[];
  readonly rejected: RejectedEvent[];
  readonly rejectedTotal: number;
  readonly ignored: number;
  readonly outsideWindow: number;
}

/** Normalise the calls in chunks, yielding to the event loop between chunks. */
async function normalizeInChunks(
  calls: readonly unknown[],
  options: Parameters<typeof normalizeEvents>[1],
): Promise<Normalized> {
  const events: InteractionEvent[] = [];
  const rejected: RejectedEvent[] = [];
  let rejectedTotal = 0;
  let ignored = 0;
  let outsideWindow = 0;
  for (let start = 0; start < calls.length; start += CHUNK) {
    if (start > 0) await nextTurn();
    const part = normalizeEvents(calls.slice(start, start + CHUNK), options);
    events.push(...part.events);
    for (const r of part.rejected) {
      if (rejected.length < MAX_LISTED_REJECTIONS)
        rejected.push({ index: r.index + start, reason: r.reason });
    }
    rejectedTotal += part.rejected.length;
    ignored += part.ignored;
    outsideWindow += part.outsideWindow;
  }
  if (calls.length > CHUNK) {
    // Each chunk came sorted; a stable sort by time keeps input order among equal times.
    const withMs = events.map((event) => ({ event, ms: Date.parse(event.ts) }));
    withMs.sort((a, b) => a.ms - b.ms);
    events.splice(0, events.length, ...withMs.map((x) => x.event));
  }
  return { events, rejected, rejectedTotal, ignored, outsideWindow };
}

/** RudderStack call types with an HTTP API route of their own (`/v1/<type>`). */
const SINGLE_CALL_TYPES = ["track", "identify", "page", "screen", "alias", "group"] as const;

/**
 * Ingest: `POST /api/ingest`, and RudderStack's HTTP API under the same base path (`/v1/batch`,
 * `/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/alias`, `/v1/group`), so an SDK needs only
 * its data plane URL pointed here. Bodies may be gzip- or deflate-encoded.
 * @param context - components, auth, metrics, limits
 */
export function ingestRoutes(context: RouteContext): Hono {
  const { components, metrics, clock, maxBodyBytes, maxDepth } = context;
  const { eventBuffer, updater, cfg } = components;

  const handle = (defaultType: string | null) => async (c: Context) => {
    const text = await bodyText(c, maxBodyBytes);
    if (text.trim() === "") throw new HttpError(400, "invalid_json", "request body is empty");
    let body: unknown;
    try {
      body = parseEventsJson(text);
    } catch (error) {
      throw new HttpError(400, "invalid_json", `request body is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof body !== "object" || body === null) {
      throw new HttpError(422, "invalid_body", "request body must be a JSON object or array", {
        field: "body",
      });
    }
    if (depthExceeds(body, maxDepth)) {
      throw new HttpError(422, "invalid_body", `request body is nested deeper than ${maxDepth} levels`, {
        field: "body",
      });
    }
    if (defaultType !== null && !Array.isArray(body) && (body as { type?: unknown }).type === undefined) {
      body = { ...(body as object), type: defaultType };
    }
    const now = clock();
    const calls = callsOf(body) ?? [];
    const { events, rejected, rejectedTotal, ignored, outsideWindow } = await normalizeInChunks(calls, {
      now,
      windowDays: cfg.event_window_days,
    });
    metrics.inc("events_rejected", rejectedTotal);
    metrics.inc("events_ignored", ignored);
    metrics.inc("events_outside_window", outsideWindow);
    if (events.length === 0 && rejectedTotal > 0) {
      const first = rejected[0]!;
      throw new HttpError(422, "no_valid_events", `no usable event: item ${first.index}: ${first.reason}`, {
        rejected,
        rejected_total: rejectedTotal,
      });
    }
    const { added } = await eventBuffer.append(events);
    metrics.inc("events_ingested", added);
    metrics.inc("events_duplicate", events.length - added);
    const users = [...new Set(events.map((e) => e.user_id))].sort();
    try {
      await updater.refreshAll(users, eventBuffer, { now });
    } catch (error) {
      if (!StoreUnavailableError.isInstance(error)) throw error;
      throw new HttpError(
        503,
        "store_unavailable",
        `events were stored, but user models could not be refreshed (${error.store} unavailable); they are rebuilt on the next ingest`,
        { store: error.store, events_stored: added, users },
      );
    }
    return c.json({
      status: "ok" as const,
      ingested: added,
      duplicates: events.length - added,
      ignored,
      outside_window: outsideWindow,
      users,
      rejected,
      rejected_total: rejectedTotal,
    });
  };

  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new HttpError(413, "payload_too_large", `request body is larger than ${maxBodyBytes} bytes`);
    },
  });
  const doc = (summary: string, description: string, operationId: string) =>
    describeRoute({
      summary,
      description,
      operationId,
      tags: ["ingest"],
      security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }],
      requestBody: { required: true, content: json(IngestBodySchema) },
      responses: {
        200: { description: "Events stored, models refreshed", content: json(IngestResponseSchema) },
        ...errorResponses(400, 401, 413, 415, 422, 503),
      },
    });
  const app = new Hono();
  app.post(
    "/api/ingest",
    doc(
      "Ingest RudderStack events",
      'Normalise RudderStack track/identify calls (one object, an array, or the {"batch": [...]} envelope; gzip or deflate encoded or not), append the valid ones to the event buffer and rebuild the model of every touched user. Each item is accepted or rejected on its own: rejected items are listed (the first 100) with their index and reason, with the total; page, screen, alias and group calls are counted as ignored; events older than the event window are counted, not stored; a re-delivered call is counted as a duplicate, not stored twice.',
      "ingestEvents",
    ),
    guard("write", context.auth),
    limit,
    handle(null),
  );
  app.post(
    "/v1/batch",
    doc(
      "RudderStack HTTP API: batch",
      "RudderStack's batch endpoint, for SDKs pointed at this service as their data plane.",
      "rudderstackBatch",
    ),
    guard("write", context.auth),
    limit,
    handle(null),
  );
  for (const type of SINGLE_CALL_TYPES) {
    app.post(
      `/v1/${type}`,
      doc(
        `RudderStack HTTP API: ${type}`,
        `RudderStack's ${type} endpoint: one call, its type ${type} unless it says otherwise.`,
        `rudderstack${type[0]!.toUpperCase()}${type.slice(1)}`,
      ),
      guard("write", context.auth),
      limit,
      handle(type),
    );
  }
  return app;
}
