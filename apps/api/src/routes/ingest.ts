import { normalizeEvents } from "@recsys/core";
import { StoreUnavailableError } from "@recsys/ports";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute } from "hono-openapi";
import { guard } from "../auth.js";
import { HttpError } from "../errors.js";
import { IngestBodySchema, IngestResponseSchema } from "../schemas.js";
import { errorResponses, json, type RouteContext } from "./shared.js";

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

/**
 * `POST /api/ingest`: normalise RudderStack calls, append them to the buffer, rebuild touched models.
 * @param context - components, auth, metrics, limits
 */
export function ingestRoutes(context: RouteContext): Hono {
  const { components, metrics, clock, maxBodyBytes, maxDepth } = context;
  const { eventBuffer, updater } = components;
  return new Hono().post(
    "/api/ingest",
    describeRoute({
      summary: "Ingest RudderStack events",
      description:
        'Normalise RudderStack track/identify calls (one object, an array, or the {"batch": [...]} envelope), append the valid ones to the event buffer and rebuild the model of every touched user. Items that cannot be used are reported in `rejected` with their index and reason; the others are kept.',
      tags: ["ingest"],
      security: [{ apiKey: [] }],
      requestBody: { required: true, content: json(IngestBodySchema) },
      responses: {
        200: { description: "Events stored, models refreshed", content: json(IngestResponseSchema) },
        ...errorResponses(400, 401, 413, 422, 503),
      },
    }),
    guard("write", context.auth),
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new HttpError(413, "payload_too_large", `request body is larger than ${maxBodyBytes} bytes`);
      },
    }),
    async (c) => {
      const text = await c.req.text();
      if (text.trim() === "") throw new HttpError(400, "invalid_json", "request body is empty");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new HttpError(
          400,
          "invalid_json",
          `request body is not valid JSON: ${(error as Error).message}`,
        );
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
      const now = clock();
      const { events, rejected } = normalizeEvents(body, { now });
      metrics.inc("events_rejected", rejected.length);
      if (events.length === 0 && rejected.length > 0) {
        const first = rejected[0]!;
        throw new HttpError(422, "no_valid_events", `no usable event: item ${first.index}: ${first.reason}`, {
          rejected,
        });
      }
      await eventBuffer.append(events);
      metrics.inc("events_ingested", events.length);
      const users = [...new Set(events.map((e) => e.user_id))].sort();
      try {
        await updater.refreshAll(users, eventBuffer, { now });
      } catch (error) {
        if (!StoreUnavailableError.isInstance(error)) throw error;
        throw new HttpError(
          503,
          "store_unavailable",
          `events were stored, but user models could not be refreshed (${error.store}); they are rebuilt on the next ingest`,
          { events_stored: events.length, users, reason: error.message },
        );
      }
      return c.json({ status: "ok" as const, ingested: events.length, users, rejected });
    },
  );
}
