import type { InteractionEvent } from "../schemas/event.js";

/** Where a user's recent events are read from. */
export interface EventSource {
  /**
   * A user's buffered events in ascending timestamp order (stable for equal timestamps).
   * @param userId - the user
   */
  fetchEvents(userId: string): Promise<InteractionEvent[]>;
}

/** The hot event buffer: an {@link EventSource} that also accepts new events. */
export interface EventBuffer extends EventSource {
  /**
   * Append events (for any number of users) atomically per call: on rejection nothing is guaranteed to be
   * stored, on success everything is. Appending an exact duplicate of a stored event may store it once.
   * @param events - the events
   */
  append(events: readonly InteractionEvent[]): Promise<void>;
  /** Iterate every user id with buffered events (order unspecified). */
  users(): AsyncIterable<string>;
  /** Check the buffer is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
