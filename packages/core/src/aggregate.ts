import type { EndReason, InteractionEvent } from "@recsys/ports";
import { eventTime } from "./time.js";

/** Event names with a meaning in view pairing. */
export const VIEW_STARTED = "CONTENT_VIEW_STARTED";
/** Event name that closes a view. */
export const VIEW_ENDED = "CONTENT_VIEW_ENDED";

/** The events of one content item folded together (docs/behaviour.md §5.2). */
export interface AggregatedView {
  /** The item. */
  readonly content_id: string;
  /** Number of STARTED events, at least 1. */
  readonly visits: number;
  /** Max explicit dwell; else last ENDED − first STARTED (floored at 0); else null. */
  readonly dwell_seconds: number | null;
  /** End reason of the latest ENDED event, or null. */
  readonly end_reason: EndReason | null;
  /** Latest timestamp of any of its events (epoch ms). */
  readonly last_ts: number;
  /** Rating of the latest event carrying one, or null. */
  readonly survey_rating: number | null;
}

interface Accumulator {
  started: number;
  explicitDwell: number | null;
  firstStarted: number;
  lastEnded: number;
  latestEnded: { ts: number; reason: EndReason | null } | null;
  lastTs: number;
  rating: { ts: number; value: number } | null;
}

/**
 * Fold events per content id, in first-appearance order; events without a content id are skipped.
 * @param events - events in the order given (usually ascending time)
 * @returns one aggregate per content id
 */
export function aggregateViews(events: readonly InteractionEvent[]): AggregatedView[] {
  const byId = new Map<string, Accumulator>();
  for (const event of events) {
    const id = event.content_id;
    if (id === null || id === undefined) continue;
    const ts = eventTime(event.ts);
    let acc = byId.get(id);
    if (!acc) {
      acc = {
        started: 0,
        explicitDwell: null,
        firstStarted: Number.POSITIVE_INFINITY,
        lastEnded: Number.NEGATIVE_INFINITY,
        latestEnded: null,
        lastTs: ts,
        rating: null,
      };
      byId.set(id, acc);
    }
    if (event.dwell_seconds !== null && event.dwell_seconds !== undefined) {
      acc.explicitDwell =
        acc.explicitDwell === null ? event.dwell_seconds : Math.max(acc.explicitDwell, event.dwell_seconds);
    }
    if (event.event === VIEW_STARTED) {
      acc.started += 1;
      acc.firstStarted = Math.min(acc.firstStarted, ts);
    } else if (event.event === VIEW_ENDED) {
      acc.lastEnded = Math.max(acc.lastEnded, ts);
      if (acc.latestEnded === null || ts > acc.latestEnded.ts) {
        acc.latestEnded = { ts, reason: event.end_reason ?? null };
      }
    }
    acc.lastTs = Math.max(acc.lastTs, ts);
    const rating = event.survey_answers?.rating;
    if (rating !== undefined && rating !== null) {
      const value = Number(rating);
      if (Number.isFinite(value) && (acc.rating === null || ts > acc.rating.ts)) acc.rating = { ts, value };
    }
  }
  const views: AggregatedView[] = [];
  for (const [id, acc] of byId) {
    let dwell = acc.explicitDwell;
    if (dwell === null && acc.started > 0 && acc.latestEnded !== null) {
      dwell = Math.max((acc.lastEnded - acc.firstStarted) / 1000, 0);
    }
    views.push({
      content_id: id,
      visits: Math.max(acc.started, 1),
      dwell_seconds: dwell,
      end_reason: acc.latestEnded?.reason ?? null,
      last_ts: acc.lastTs,
      survey_rating: acc.rating?.value ?? null,
    });
  }
  return views;
}
