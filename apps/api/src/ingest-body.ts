import { callsOf, normalizeEvents, parseEventsJson, type RejectedEvent } from "@recsys/core";
import type { InteractionEvent } from "@recsys/ports";

/** How many rejected items an answer lists (the total is always given). */
export const MAX_LISTED_REJECTIONS = 100;
/** Calls normalised at a time. */
const CHUNK = 2000;

/** How to read an ingest body. */
export interface IngestBodyOptions {
  /** The ingest time. */
  readonly now: number;
  /** The event window in days. */
  readonly windowDays: number;
  /** Deepest accepted nesting. */
  readonly maxDepth: number;
  /** The call type of a single-call route (`/v1/track`, …), or null. */
  readonly defaultType: string | null;
}

/** What an ingest body gave: the events, the first rejections listed and their total. */
export interface IngestBody {
  readonly events: InteractionEvent[];
  readonly rejected: RejectedEvent[];
  readonly rejectedTotal: number;
  readonly ignored: number;
  readonly outsideWindow: number;
}

/** A body that cannot be read at all: the status, code and message of the answer. */
export interface IngestBodyError {
  readonly error: {
    readonly status: 400 | 422;
    readonly code: string;
    readonly message: string;
    readonly field?: string;
  };
}

function depthExceeds(value: unknown, max: number, depth = 1): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depth > max) return true;
  // Recursion stops at max + 1 levels, so the stack stays as shallow as the limit.
  if (Array.isArray(value)) {
    for (const child of value) if (depthExceeds(child, max, depth + 1)) return true;
  } else {
    for (const key in value) {
      if (depthExceeds((value as Record<string, unknown>)[key], max, depth + 1)) return true;
    }
  }
  return false;
}

/**
 * Parse and normalise an ingest body (the part of an ingest that costs CPU in proportion to the body, so
 * that a large body can be read on a worker thread while the event loop keeps serving).
 * @param text - the decompressed body
 * @param options - time, window, nesting limit, default call type
 */
export function readIngestBody(text: string, options: IngestBodyOptions): IngestBody | IngestBodyError {
  if (text.trim() === "")
    return { error: { status: 400, code: "invalid_json", message: "request body is empty" } };
  let body: unknown;
  try {
    body = parseEventsJson(text);
  } catch (error) {
    return {
      error: {
        status: 400,
        code: "invalid_json",
        message: `request body is not valid JSON: ${(error as Error).message}`,
      },
    };
  }
  if (typeof body !== "object" || body === null) {
    return {
      error: {
        status: 422,
        code: "invalid_body",
        message: "request body must be a JSON object or array",
        field: "body",
      },
    };
  }
  if (depthExceeds(body, options.maxDepth)) {
    return {
      error: {
        status: 422,
        code: "invalid_body",
        message: `request body is nested deeper than ${options.maxDepth} levels`,
        field: "body",
      },
    };
  }
  if (
    options.defaultType !== null &&
    !Array.isArray(body) &&
    (body as { type?: unknown }).type === undefined
  ) {
    body = { ...(body as object), type: options.defaultType };
  }
  const calls = callsOf(body) ?? [];
  const normalize = { now: options.now, windowDays: options.windowDays };
  const events: InteractionEvent[] = [];
  const rejected: RejectedEvent[] = [];
  let rejectedTotal = 0;
  let ignored = 0;
  let outsideWindow = 0;
  for (let start = 0; start < calls.length; start += CHUNK) {
    const part = normalizeEvents(calls.slice(start, start + CHUNK), normalize);
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
