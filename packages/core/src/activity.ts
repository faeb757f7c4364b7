import {
  type InteractionEvent,
  isCold,
  type UserSignals,
  type VisitorActivity,
  type VisitorItemActivity,
} from "@recsys/ports";
import { viewsByItem } from "./history.js";

/**
 * A visitor's summary and per-item activity from their model and their whole buffered history
 * (docs/behaviour.md §6.18), for `ActivityStore.record`. Pure: the same buffer gives the same record, so
 * recording it again changes nothing.
 * @param signals - the visitor's model
 * @param events - every buffered event it was built from, oldest first
 * @param minPositives - the setting `cold_start_min_positives`
 */
export function activityOf(
  signals: UserSignals,
  events: readonly InteractionEvent[],
  minPositives = 1,
): { visitor: VisitorActivity; items: VisitorItemActivity[] } {
  const items = viewsByItem(events);
  return {
    visitor: {
      user_id: signals.user_id,
      last_interaction: events.length > 0 ? events[events.length - 1]!.ts : null,
      n_events: events.length,
      n_views: signals.behavior.n_views ?? 0,
      n_liked: Object.keys(signals.positives).length,
      n_seen: signals.viewed.length,
      cold: isCold(signals, minPositives),
    },
    items: [...items].map(([id, item]) => ({
      id,
      visits: item.visits,
      dwell: item.dwell,
      positive: id in signals.positives,
    })),
  };
}
