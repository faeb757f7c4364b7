import { type Content, type EndReason, type InteractionEvent, interactionEvent } from "@recsys/ports";

/** docs/behaviour.md Appendix B's clock: 2026-06-10 12:00 UTC. */
export const NOW = Date.UTC(2026, 5, 10, 12);
const MINUTE = 60_000;

function item(id: string, main: string, sub: string): Content {
  return {
    id,
    content_type: "text_item",
    title: id,
    text: id,
    tags: [
      { facet: "theme_what", label: main, weight: 1 },
      { facet: "theme_what", label: sub, weight: 0.8 },
      { facet: "theme_how.type_of_stores", label: "Personal stories", weight: 0.5 },
    ],
    word_count: 120,
    has_image: false,
    lat: null,
    lon: null,
    image_url: null,
    public_url: null,
    years: [],
  };
}

/** A three-item slice of the BB world (101, 102 on axis 0; 201 on axis 1), enough for user-model tests. */
export const CONTENTS = new Map<string, Content>([
  ["101", item("101", "Forced Labor", "workshops")],
  ["102", item("102", "Forced Labor", "work detail")],
  ["201", item("201", "Family", "children")],
]);
export const VECTORS = new Map<string, number[]>([
  ["101", [1, 0, 0, 0, 0, 0]],
  ["102", [1, 0, 0, 0, 0, 0]],
  ["201", [0, 1, 0, 0, 0, 0]],
]);

/** STARTED at base + k min and ENDED dwell seconds later for each visit k (the reference's view_events). */
export function views(
  user: string,
  id: string,
  dwell: number,
  reason: EndReason,
  baseMs: number,
  visits = 1,
) {
  const events: InteractionEvent[] = [];
  for (let k = 0; k < visits; k++) {
    const start = baseMs + k * MINUTE;
    const common = { user_id: user, content_id: id, session_id: "s1" };
    events.push(
      interactionEvent({ ...common, event: "CONTENT_VIEW_STARTED", ts: new Date(start).toISOString() }),
    );
    const ts = new Date(start + dwell * 1000).toISOString();
    events.push(
      interactionEvent({
        ...common,
        event: "CONTENT_VIEW_ENDED",
        ts,
        dwell_seconds: dwell,
        end_reason: reason,
      }),
    );
  }
  return events;
}

/** A bare event of user `u1` with the given fields. */
export function event(
  fields: Partial<InteractionEvent> & Pick<InteractionEvent, "event" | "ts">,
): InteractionEvent {
  return interactionEvent({ user_id: "u1", ...fields });
}
