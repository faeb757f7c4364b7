import {
  type Content,
  type ContentStore,
  canonicalEventJson,
  type EventBuffer,
  type EventSource,
  type InteractionEvent,
  type RecConfig,
  type UserModelStore,
  type UserSignals,
} from "@recsys/ports";
import { buildUserSignals } from "./signal-builder.js";
import type { Instant } from "./time.js";

/**
 * How many users {@link UserModelUpdater.refreshAll} refreshes at a time unless told. The refreshes that
 * run together share their round trips to a networked store (a pipelining client sends their reads in one
 * write, then their saves in one), so an ingest of a few dozen users costs three round trips, not three
 * per eight users; on a virtual machine each socket write costs ~0.1 ms of CPU.
 */
export const REFRESH_CONCURRENCY = 32;

/** Options of {@link UserModelUpdater}. */
export interface UpdaterOptions {
  /** The catalogue (for contents and vectors of touched items). */
  readonly contentStore: ContentStore;
  /** Where models are saved. */
  readonly modelStore: UserModelStore;
  /** The resolved config. */
  readonly cfg: RecConfig;
}

/** Per-call options of the updater. */
export interface UpdateOptions {
  /** The time the model is built at. */
  readonly now: Instant;
  /** Demographics from an external provider (they win over survey values). */
  readonly demographics?: Readonly<Record<string, unknown>> | undefined;
  /** Called after each save of a refresh with the model and the buffered events it was built from. */
  readonly onSaved?: ((signals: UserSignals, events: readonly InteractionEvent[]) => void) | undefined;
}

/**
 * The ingest side: folds events into user models. `build` is deterministic; `refresh` is the
 * rebuild-from-buffer pattern (read the user's whole buffered window, rebuild from scratch, save), so a
 * model never depends on the order ingests were processed in, only on the buffer's contents.
 *
 * @example
 * const updater = new UserModelUpdater({ contentStore, modelStore, cfg });
 * await buffer.append(events);
 * await updater.refresh("user-1", buffer, { now: Date.now() });
 */
export class UserModelUpdater {
  readonly #store: ContentStore;
  readonly #models: UserModelStore;
  readonly #cfg: RecConfig;
  /** Per user: the refresh in flight, and the one queued to follow it (shared by every later caller). */
  readonly #inflight = new Map<
    string,
    { running: Promise<UserSignals>; queued: Promise<UserSignals> | null }
  >();

  /** @param options - stores and config */
  constructor(options: UpdaterOptions) {
    this.#store = options.contentStore;
    this.#models = options.modelStore;
    this.#cfg = options.cfg;
  }

  /**
   * Fold an event sequence into a user model (one content-store round trip for the touched items). Calls
   * delivered more than once (the same RudderStack `messageId`, whatever else changed) count once: the
   * first in buffer order.
   * @param userId - the user
   * @param events - the user's events in ascending time order
   * @param options - `now`, optional provider demographics
   */
  async build(
    userId: string,
    buffered: readonly InteractionEvent[],
    options: UpdateOptions,
  ): Promise<UserSignals> {
    const events = onePerMessageId(buffered);
    const seen = new Set<string>();
    for (const event of events) if (event.content_id) seen.add(event.content_id);
    const touched = [...seen];
    const contents = new Map<string, Content>();
    const vectors = new Map<string, Float32Array>();
    if (touched.length > 0) {
      const [hits = []] = await this.#store.query([{ kind: "ids", ids: touched }]);
      for (const hit of hits) {
        if (hit.content) contents.set(hit.id, hit.content);
        if (hit.vector) vectors.set(hit.id, hit.vector);
      }
    }
    return buildUserSignals(userId, events, contents, vectors, {
      now: options.now,
      cfg: this.#cfg,
      demographics: options.demographics,
    });
  }

  /**
   * Rebuild a user's model from their buffered events and save it, until stable: after saving, the buffer
   * is read again, and if it changed meanwhile (a concurrent ingest appended for the same user, maybe on
   * another replica), the model is rebuilt from the new contents and saved again. Whatever the
   * interleaving, the last model saved was built from the buffer as it was after the last append, so no
   * event is lost from the model. Works on any EventSource and UserModelStore (no transactions needed, so
   * it also works on Redis Cluster).
   *
   * Within one process, concurrent refreshes of one user are coalesced: while a refresh runs, every new
   * call waits for one follow-up refresh that starts when the running one ends (and so reads every append
   * made before the call), instead of each starting its own. A burst of N ingests for one user therefore
   * costs about two rebuilds, not N (docs/behaviour.md §4.7).
   * @param userId - the user
   * @param source - the event buffer
   * @param options - `now`, optional provider demographics, `maxRounds` (default 8)
   * @returns the saved model
   */
  refresh(
    userId: string,
    source: EventSource,
    options: UpdateOptions & { readonly maxRounds?: number },
  ): Promise<UserSignals> {
    const slot = this.#inflight.get(userId);
    if (!slot) return this.#start(userId, source, options);
    slot.queued ??= slot.running.then(ignore, ignore).then(() => this.#start(userId, source, options));
    return slot.queued;
  }

  #start(
    userId: string,
    source: EventSource,
    options: UpdateOptions & { readonly maxRounds?: number },
  ): Promise<UserSignals> {
    const running = this.#refreshUntilStable(userId, source, options);
    const slot = this.#inflight.get(userId);
    if (slot) {
      slot.running = running;
      slot.queued = null;
    } else this.#inflight.set(userId, { running, queued: null });
    void running.then(ignore, ignore).then(() => {
      const current = this.#inflight.get(userId);
      if (current?.running === running && current.queued === null) this.#inflight.delete(userId);
    });
    return running;
  }

  async #refreshUntilStable(
    userId: string,
    source: EventSource & Pick<EventBuffer, "version" | "fetchVersioned">,
    options: UpdateOptions & { readonly maxRounds?: number },
  ): Promise<UserSignals> {
    const rounds = options.maxRounds ?? 8;
    // With a version token, stability is checked by two small reads instead of reading the events again.
    // The events and their version in one read when the buffer can; else the version is asked first, then
    // the events, in the same turn: one round trip on a pipelining client, and never a version newer than
    // the events read.
    const read = source.fetchVersioned
      ? async (): Promise<[string | null, InteractionEvent[]]> => {
          const { version, events } = await source.fetchVersioned!(userId);
          return [version, events];
        }
      : () => Promise.all([source.version?.(userId) ?? null, source.fetchEvents(userId)]);
    let [version, events] = await read();
    for (let round = 1; ; round++) {
      const signals = await this.build(userId, events, options);
      await this.#models.saveSignals(signals);
      options.onSaved?.(signals, events);
      // A follow-up refresh of this user is queued in this process: it reads the buffer after we are done.
      if (round >= rounds || this.#inflight.get(userId)?.queued) return signals;
      if (source.version && version !== null) {
        const now = await source.version(userId);
        if (now === version) return signals;
        [version, events] = await read();
        continue;
      }
      const after = await source.fetchEvents(userId);
      if (sameEvents(events, after)) return signals;
      events = after;
    }
  }

  /**
   * Rebuild every user's model from the buffer (a replay), `concurrency` at a time (default
   * {@link REFRESH_CONCURRENCY}).
   * @param buffer - an event buffer that can list its users
   * @param options - `now`, `concurrency`, `onProgress(done)` called after each user
   * @returns the number of users rebuilt
   */
  async rebuildAll(
    buffer: EventBuffer,
    options: UpdateOptions & { readonly concurrency?: number; readonly onProgress?: (done: number) => void },
  ): Promise<number> {
    let done = 0;
    let batch: string[] = [];
    const flush = async () => {
      await this.refreshAll(batch, buffer, options);
      done += batch.length;
      batch = [];
      options.onProgress?.(done);
    };
    for await (const userId of buffer.users()) {
      batch.push(userId);
      if (batch.length >= 256) await flush();
    }
    if (batch.length > 0) await flush();
    return done;
  }

  /**
   * Refresh several users, at most `concurrency` at a time. Rejects with the first failure after every
   * started refresh has settled.
   * @param userIds - the users
   * @param source - the event buffer
   * @param options - `now`, and optional `concurrency` (default {@link REFRESH_CONCURRENCY})
   */
  async refreshAll(
    userIds: Iterable<string>,
    source: EventSource,
    options: UpdateOptions & { readonly concurrency?: number },
  ): Promise<UserSignals[]> {
    const ids = [...userIds];
    const out: UserSignals[] = new Array(ids.length);
    let next = 0;
    let failure: { error: unknown } | null = null;
    const worker = async () => {
      while (next < ids.length && failure === null) {
        const index = next++;
        try {
          out[index] = await this.refresh(ids[index]!, source, options);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency ?? REFRESH_CONCURRENCY, ids.length) }, worker),
    );
    if (failure !== null) throw (failure as { error: unknown }).error;
    return out;
  }
}

function sameEvents(a: readonly InteractionEvent[], b: readonly InteractionEvent[]): boolean {
  return (
    a.length === b.length &&
    a.every((event, i) => event === b[i] || canonicalEventJson(event) === canonicalEventJson(b[i]!))
  );
}

function ignore(): void {}

/**
 * The events without repeated deliveries of one call: a later event whose raw call carries a `messageId`
 * already seen is left out (at-least-once delivery may store a retried call twice when more than its
 * transport fields changed).
 * @param events - events in buffer order
 */
function onePerMessageId(events: readonly InteractionEvent[]): readonly InteractionEvent[] {
  let seen: Set<string> | null = null;
  let out: InteractionEvent[] | null = null;
  events.forEach((event, i) => {
    const id = event.raw.messageId;
    if (typeof id !== "string" || id === "") {
      out?.push(event);
      return;
    }
    seen ??= new Set();
    if (seen.has(id)) {
      out ??= events.slice(0, i);
      return;
    }
    seen.add(id);
    out?.push(event);
  });
  return out ?? events;
}
