import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gunzip, inflate, inflateRaw } from "node:zlib";
import { activityOf, attributeRewards, learnFromRewards } from "@recsys/core";
import { type InteractionEvent, StoreUnavailableError, type UserSignals } from "@recsys/ports";
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { guard } from "../auth.js";
import type { Components } from "../components.js";
import { HttpError } from "../errors.js";
import { readIngestBody } from "../ingest-body.js";
import { IngestWorker, WORKER_THRESHOLD_BYTES } from "../ingest-pool.js";
import { IngestBodySchema, IngestResponseSchema } from "../schemas.js";
import { errorResponses, json, type RouteContext } from "./shared.js";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);

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
 * 413 for a body refused before it was all read: the connection is closed after the answer (the client
 * may still be sending; a kept-alive socket would carry the rest into its next request).
 */
const tooLarge = (maxBytes: number) =>
  new HttpError(413, "payload_too_large", `request body is larger than ${maxBytes} bytes`, undefined, {
    connection: "close",
  });

/**
 * A body's chunks as they arrive, at most `maxBytes` in all: `add` answers false (keeping nothing more)
 * once they pass it. Both ways of reading a body below count with it.
 */
function boundedChunks(maxBytes: number) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  return {
    add(chunk: Uint8Array): boolean {
      size += chunk.byteLength;
      if (size > maxBytes) return false;
      chunks.push(chunk);
      return true;
    },
    bytes(): Buffer {
      const only = chunks.length === 1 ? chunks[0]! : null;
      return only && Buffer.isBuffer(only) ? only : Buffer.concat(chunks, size);
    },
  };
}

/**
 * Read a Node request's body, refusing it (413) once it passes `maxBytes`; what is left unread is drained
 * by @hono/node-server after the answer.
 */
function readNodeBody(incoming: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = boundedChunks(maxBytes);
    const done = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
      incoming.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      if (body.add(chunk)) return;
      done();
      incoming.pause();
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      done();
      resolve(body.bytes());
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      done();
      // Named as Node names a stream closed early, so the app logs a client that went away (499).
      reject(
        Object.assign(new Error("the client closed the request before its body ended"), {
          code: "ERR_STREAM_PREMATURE_CLOSE",
        }),
      );
    };
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
    incoming.on("close", onClose);
  });
}

/**
 * The raw request body, at most `maxBytes` (413 beyond: at once when Content-Length says so, else as soon
 * as the bytes read pass it). Under @hono/node-server it is read straight from Node's request: asking the
 * Fetch API's Request for it builds a web stream, an abort signal and the Request itself per ingest
 * (about a twentieth of an ingest's CPU).
 */
async function rawBodyBytes(c: Context, maxBytes: number): Promise<Buffer> {
  const declared = c.req.header("content-length");
  if (declared !== undefined && c.req.header("transfer-encoding") === undefined) {
    if (Number.parseInt(declared, 10) > maxBytes) throw tooLarge(maxBytes);
  }
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof Readable && incoming.readableFlowing === null && !incoming.readableDidRead)
    return readNodeBody(incoming as IncomingMessage, maxBytes);
  const stream = c.req.raw.body;
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const body = boundedChunks(maxBytes);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return body.bytes();
    if (!body.add(value)) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
  }
}

/**
 * The request body: decompressed (`gzip`, `deflate`), never larger than `maxBytes` before or after
 * decompression (a decompression bomb stops at the limit, in bounded memory: 413).
 */
async function bodyBytes(c: Context, maxBytes: number): Promise<Buffer> {
  const type = c.req.header("content-type");
  if (!acceptableType(type)) {
    throw new HttpError(415, "unsupported_media_type", `Content-Type ${type} is not JSON`, {
      field: "content-type",
    });
  }
  const encoding = (c.req.header("content-encoding") ?? "identity").trim().toLowerCase();
  const raw = await rawBodyBytes(c, maxBytes);
  if (encoding === "identity" || encoding === "") return raw;
  const options = { maxOutputLength: maxBytes };
  try {
    if (encoding === "gzip" || encoding === "x-gzip") return await gunzipAsync(raw, options);
    if (encoding === "deflate") {
      // RFC 9110's deflate is zlib-wrapped; some clients send raw deflate.
      return await inflateAsync(raw, options).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "Z_DATA_ERROR") return inflateRawAsync(raw, options);
        throw error;
      });
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

/** RudderStack call types with an HTTP API route of their own (`/v1/<type>`). */
const SINGLE_CALL_TYPES = ["track", "identify", "page", "screen", "alias", "group"] as const;

/**
 * Ingest: `POST /api/ingest`, and RudderStack's HTTP API under the same base path (`/v1/batch`,
 * `/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/alias`, `/v1/group`), so an SDK needs only
 * its data plane URL pointed here. Bodies may be gzip- or deflate-encoded.
 * @param context - components, auth, metrics, limits
 */
export function ingestRoutes(context: RouteContext): Hono {
  const { metrics, clock, maxBodyBytes, maxDepth } = context;

  const worker = new IngestWorker();
  /**
   * The operator read model of a visitor whose model was just saved: issued at once, so on a networked
   * store it shares the write of the refreshes still running (a visitor saved twice, by concurrent
   * ingests, is recorded twice: each record replaces the last).
   */
  const recordActivity = async (
    components: Components,
    signals: UserSignals,
    events: readonly InteractionEvent[],
  ): Promise<void> => {
    const { visitor, items } = activityOf(signals, events, components.cfg.cold_start_min_positives);
    return components.activity.record(visitor, items);
  };
  /** Wait for the records; a failure is logged once, never fails the ingest. */
  const recorded = async (records: readonly Promise<void>[]) => {
    const failed = (await Promise.allSettled(records)).find((r) => r.status === "rejected");
    if (failed) {
      context.log({
        level: "warn",
        msg: "could not record visitor activity",
        error: String((failed as PromiseRejectedResult).reason),
      });
    }
  };
  /**
   * Rewards of the batch (views echoing a served list's request id), and the bandit's learning from them.
   * The events are stored by now: a store failure here is logged, never fails the ingest.
   */
  const learn = async (
    components: Components,
    tenant: string,
    events: Parameters<typeof attributeRewards>[0],
  ) => {
    try {
      const { cfg } = components;
      const rewards = await attributeRewards(events, components.feedback, components.contentStore, cfg);
      const banditUpdates = await learnFromRewards(rewards, components.feedback, cfg);
      if (banditUpdates > 0) await components.policy.refresh();
      metrics.inc("rewards", rewards.length, tenant);
      for (const reward of rewards) metrics.clicked(reward.impression, reward.reward, tenant);
      metrics.inc("bandit_updates", banditUpdates, tenant);
      return { rewards: rewards.length, banditUpdates };
    } catch (error) {
      context.log({ level: "warn", msg: "could not attribute rewards", error: String(error) });
      return { rewards: 0, banditUpdates: 0 };
    }
  };
  context.onClose(() => worker.close());

  const handle = (defaultType: string | null) => async (c: Context) => {
    // The tenant's settings and updater are read per request: runtime settings may replace them.
    const components = c.get("tenant");
    const { tenant } = c.get("access");
    const { eventBuffer } = components;
    const bytes = await bodyBytes(c, maxBodyBytes);
    const now = clock();
    const options = { now, windowDays: components.cfg.event_window_days, maxDepth, defaultType };
    // A large body is parsed on the worker thread, so the event loop keeps serving meanwhile.
    const read =
      bytes.byteLength >= WORKER_THRESHOLD_BYTES
        ? await worker.read(bytes, options)
        : readIngestBody(bytes.toString("utf8"), options);
    if ("error" in read) {
      const { status, code, message, field } = read.error;
      throw new HttpError(status, code, message, field ? { field } : undefined);
    }
    const { events, rejected, rejectedTotal, ignored, outsideWindow } = read;
    metrics.inc("events_rejected", rejectedTotal, tenant);
    metrics.inc("events_ignored", ignored, tenant);
    metrics.inc("events_outside_window", outsideWindow, tenant);
    if (events.length === 0 && rejectedTotal > 0) {
      const first = rejected[0]!;
      throw new HttpError(422, "no_valid_events", `no usable event: item ${first.index}: ${first.reason}`, {
        rejected,
        rejected_total: rejectedTotal,
      });
    }
    // The durable log first: an event the buffer holds is always in the log, so a replay restores it.
    if (components.eventLog && events.length > 0) {
      try {
        await components.eventLog.appendEvents(events);
      } catch (error) {
        context.log({ level: "error", msg: "could not write the event log", error: String(error) });
        throw new HttpError(
          503,
          "store_unavailable",
          "the event log could not be written; nothing was stored",
          {
            store: "event_log",
          },
        );
      }
    }
    const { added } = await eventBuffer.append(events);
    metrics.inc("events_ingested", added, tenant);
    metrics.inc("events_duplicate", events.length - added, tenant);
    const users = [...new Set(events.map((e) => e.user_id))].sort();
    try {
      const records: Promise<void>[] = [];
      try {
        await components.updater.refreshAll(users, eventBuffer, {
          now,
          onSaved: (signals, buffered) => {
            records.push(recordActivity(components, signals, buffered));
          },
        });
      } finally {
        await recorded(records);
      }
    } catch (error) {
      if (!StoreUnavailableError.isInstance(error)) throw error;
      throw new HttpError(
        503,
        "store_unavailable",
        `events were stored, but user models could not be refreshed (${error.store} unavailable); they are rebuilt on the next ingest`,
        { store: error.store, events_stored: added, users },
      );
    }
    const { rewards, banditUpdates } = await learn(components, tenant, events);
    return c.json({
      status: "ok" as const,
      ingested: added,
      duplicates: events.length - added,
      ignored,
      outside_window: outsideWindow,
      users,
      rejected,
      rejected_total: rejectedTotal,
      rewards,
      bandit_updates: banditUpdates,
    });
  };

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
    guard("write", context.auth, context.tenants),
    handle(null),
  );
  app.post(
    "/v1/batch",
    doc(
      "RudderStack HTTP API: batch",
      "RudderStack's batch endpoint, for SDKs pointed at this service as their data plane.",
      "rudderstackBatch",
    ),
    guard("write", context.auth, context.tenants),
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
      guard("write", context.auth, context.tenants),
      handle(type),
    );
  }
  return app;
}
