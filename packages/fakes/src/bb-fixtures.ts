import { normalizeFilterValue, normalizeKey } from "@recsys/core/taxonomy";
import { type EndReason, type InteractionEvent, interactionEvent } from "@recsys/ports";
import type { CatalogPoint } from "./catalog.js";
import { InMemoryContentStore, type InMemoryContentStoreOptions } from "./in-memory-content-store.js";

/** The clock of the worked example (docs/behaviour.md Appendix B): 2026-06-10 12:00 UTC. */
export const BB_NOW = Date.UTC(2026, 5, 10, 12);

const ROWS = [
  [
    "101",
    "Forced labour in the textile workshop",
    0,
    "Forced Labor",
    "workshops",
    52.7581,
    9.9062,
    [1942, 1943],
  ],
  ["102", "Construction work detail", 0, "Forced Labor", "work detail", 52.7576, 9.9081, [1941, 1942]],
  ["103", "Armament factory labour", 0, "Forced Labor", "work detail", 52.7583, 9.9079, [1943, 1944]],
  ["201", "Children in the women's camp", 1, "Family", "children", 52.7562, 9.9105, [1944]],
  ["202", "A family's life in the Star Camp", 1, "Family", "family life", 52.7568, 9.9111, [1943, 1944]],
  ["203", "Siblings reunited after deportation", 1, "Family", "siblings", 52.7565, 9.9098, [1944, 1945]],
  ["301", "Liberation by the British Army", 2, "Liberation", "camp liberation", 52.7597, 9.9041, [1945]],
  ["302", "First days after liberation", 2, "Liberation", "liberator", 52.7599, 9.9048, [1945]],
] as const;

/**
 * The "BB dev fixtures" (docs/behaviour.md Appendix C): eight Bergen-Belsen items in three clusters (Forced Labor on
 * axis 0, Family on axis 1, Liberation on axis 2) with 6-dimension one-hot vectors, 120 words each, three
 * tags each (main theme 1.0, sub theme 0.8, `Personal stories` 0.5), a location and creation years.
 */
export const BB_POINTS: readonly CatalogPoint[] = ROWS.map(
  ([id, title, axis, main, sub, lat, lon, years]) => {
    const tags = [
      { facet: "theme_what", label: main, weight: 1.0 },
      { facet: "theme_what", label: sub, weight: 0.8 },
      { facet: "theme_how.type_of_stores", label: "Personal stories", weight: 0.5 },
    ];
    const vector = new Float32Array(6);
    vector[axis] = 1;
    return {
      id,
      vector,
      payload: {
        title,
        text: title,
        content_type: "text_item",
        word_count: 120,
        tags,
        tag_labels: tags.map((t) => normalizeKey(`${t.facet}:${t.label}`)),
        tag_values: tags.map((t) => normalizeFilterValue(t.label)),
        location: { lat, lon },
        time_metadata: { dates_of_creation: years.map(String) },
      },
    };
  },
);

/**
 * A content store over the BB dev fixtures.
 * @param options - sampling (use `ascending` to reproduce the reference's numbers)
 */
export function createBBContentStore(options: InMemoryContentStoreOptions = {}): InMemoryContentStore {
  return InMemoryContentStore.fromPoints(BB_POINTS, options);
}

/**
 * Canonical view events as the reference's `view_events` helper makes them: for each visit k (from 0), a
 * CONTENT_VIEW_STARTED at `baseMs + k` minutes and a CONTENT_VIEW_ENDED `dwell` seconds later carrying
 * `dwell_seconds` and `end_reason`, session `s1`.
 * @param userId - the user
 * @param contentId - the item
 * @param dwell - dwell seconds
 * @param reason - how the view ended
 * @param baseMs - epoch ms of the first STARTED
 * @param visits - number of visits
 */
export function viewEvents(
  userId: string,
  contentId: string,
  dwell: number,
  reason: EndReason,
  baseMs: number,
  visits = 1,
): InteractionEvent[] {
  return rudderstackViews(userId, contentId, dwell, reason, baseMs, visits).map((raw) => {
    const ended = raw.event === "CONTENT_VIEW_ENDED";
    return interactionEvent({
      user_id: userId,
      event: raw.event,
      ts: raw.timestamp,
      session_id: "s1",
      content_id: contentId,
      dwell_seconds: ended ? dwell : null,
      end_reason: ended ? reason : null,
      raw: { ...raw },
    });
  });
}

/** A RudderStack track call as apps send it. */
export interface RudderstackTrack {
  readonly type: "track";
  readonly event: string;
  readonly userId: string;
  readonly timestamp: string;
  readonly properties: Record<string, unknown>;
}

/**
 * The same views as {@link viewEvents}, as raw RudderStack track calls for `POST /ingest`.
 * @param userId - the user
 * @param contentId - the item (sent as `content_<id>`)
 * @param dwell - dwell seconds
 * @param reason - how the view ended
 * @param baseMs - epoch ms of the first STARTED
 * @param visits - number of visits
 */
export function rudderstackViews(
  userId: string,
  contentId: string,
  dwell: number,
  reason: EndReason,
  baseMs: number,
  visits = 1,
): RudderstackTrack[] {
  const out: RudderstackTrack[] = [];
  for (let k = 0; k < visits; k++) {
    const start = baseMs + k * 60_000;
    const content = { content_id: `content_${contentId}` };
    const context = { session_id: "s1" };
    out.push({
      type: "track",
      event: "CONTENT_VIEW_STARTED",
      userId,
      timestamp: new Date(start).toISOString(),
      properties: { content, context },
    });
    out.push({
      type: "track",
      event: "CONTENT_VIEW_ENDED",
      userId,
      timestamp: new Date(start + dwell * 1000).toISOString(),
      properties: { content, context, details: { dwell_seconds: dwell, reason } },
    });
  }
  return out;
}
