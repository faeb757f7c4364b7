import type { InteractionEvent } from "../schemas/event.js";

/** Where a user's recent events are read from. */
export interface EventSource {
  /**
   * A user's buffered events in ascending timestamp order (stable for equal timestamps).
   * @param userId - the user
   */
  fetchEvents(userId: string): Promise<InteractionEvent[]>;
}

/** A user's buffered events and the version token of exactly those events ({@link EventBuffer.fetchVersioned}). */
export interface VersionedEvents {
  /** The events, in ascending timestamp order. */
  readonly events: InteractionEvent[];
  /** What {@link EventBuffer.version} answers while the buffer holds exactly these events. */
  readonly version: string;
}

/** What {@link EventBuffer.append} stored. */
export interface AppendResult {
  /** Events newly stored: an exact replay of a stored event (a retried delivery) is not counted. */
  readonly added: number;
}

/**
 * The hot event buffer: an {@link EventSource} that also accepts new events. A buffer keeps a user's
 * events of the event window, at most a configured number per user (the newest), so the work of
 * rebuilding a model from it is bounded.
 */
export interface EventBuffer extends EventSource {
  /**
   * Append events (for any number of users) atomically per call: on rejection nothing is guaranteed to be
   * stored, on success everything is (but for events beyond the per-user cap or the window, trimmed at
   * once). An exact duplicate of a stored event is stored once.
   * @param events - the events
   * @returns how many events were new
   */
  append(events: readonly InteractionEvent[]): Promise<AppendResult>;
  /**
   * A token that changes whenever the user's buffered events change (an append that stored something,
   * a trim). Cheaper than reading the events: the updater compares it before and after a rebuild.
   * @param userId - the user
   */
  version?(userId: string): Promise<string>;
  /**
   * A user's buffered events (as {@link EventSource.fetchEvents}) and the {@link EventBuffer.version}
   * token of exactly those events, read at once: on a networked buffer one command instead of two. The
   * updater uses it, when present, for the read it rebuilds a model from.
   * @param userId - the user
   */
  fetchVersioned?(userId: string): Promise<VersionedEvents>;
  /** Iterate every user id with buffered events (order unspecified). */
  users(): AsyncIterable<string>;
  /** Check the buffer is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
