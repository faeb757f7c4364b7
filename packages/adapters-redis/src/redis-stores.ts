import { eventTime, formatTimestamp, parseTimestamp } from "@recsys/core/time";
import {
  type AppendResult,
  canonicalEventJson,
  type EventBuffer,
  freezeSignals,
  type InteractionEvent,
  isCanonicalEvent,
  LruMap,
  type ParseResult,
  StoreUnavailableError,
  safeParseInteractionEvent,
  safeParseUserSignals,
  type UserModelStore,
  type UserSignals,
  type VersionedEvents,
} from "@recsys/ports";
import type { Cluster, Redis } from "ioredis";
import { decodeCompactEvent, encodeCompactEvent } from "./compact-event.js";
import { decodeCompactModel, encodeCompactModel, isCompactModel } from "./compact-model.js";
import type { RedisFormat } from "./format.js";

/** A single Redis client or a Redis Cluster client (ioredis). */
export type RedisClient = Redis | Cluster;

/** A structured log sink. */
export type RedisLogger = (entry: Record<string, unknown>) => void;

/** Options of {@link createRedisStores}. */
export interface RedisStoresOptions {
  /** The ioredis client; the application owns its lifecycle. */
  readonly client: RedisClient;
  /** Key prefix (`RECSYS_REDIS_PREFIX`, default `default`): keys are `{prefix}:evt:{user}` and `{prefix}:umodel:{user}`. */
  readonly prefix?: string;
  /** Events older than this are trimmed on every append (default 30). */
  readonly windowDays?: number;
  /** Model key TTL, reset on every save (default 90). */
  readonly modelTtlDays?: number;
  /** Events kept per user, the newest (the setting `max_events_per_user`, default 300). */
  readonly maxEventsPerUser?: number;
  /**
   * The event-buffer key lives this long past the event window (default one day): its TTL is renewed on
   * every append, so an inactive visitor's events expire from Redis.
   */
  readonly bufferTtlMarginSeconds?: number;
  /** The clock for trimming (default `Date.now`). */
  readonly clock?: () => number;
  /**
   * How new events and models are written (`RECSYS_REDIS_FORMAT`, default `compact`; `reference` writes
   * the JSON the Python service reads too). Both forms are always read, so a Redis may hold a mix.
   */
  readonly format?: RedisFormat;
  /** Where unreadable stored data is reported (default: a JSON line on stderr). */
  readonly logger?: RedisLogger;
}

/** Whether the client is a Redis Cluster client. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** Run a store call, turning any failure into StoreUnavailableError("redis"). */
export async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (StoreUnavailableError.isInstance(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreUnavailableError("redis", `${operation} failed: ${message}`, { cause: error });
  }
}

/** The results of a MULTI/EXEC, or a throw when it aborted or any command failed. */
export function checkExec(
  results: [Error | null, unknown][] | null,
  operation: string,
): [Error | null, unknown][] {
  if (results === null) throw new Error(`${operation}: transaction aborted`);
  for (const [error] of results) if (error) throw error;
  return results;
}

const defaultLogger: RedisLogger = (entry) =>
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), ...entry })}\n`);

/** A user's buffer version: its count, oldest and newest member, in one atomic read. */
const BUFFER_VERSION = `return { redis.call('ZCARD', KEYS[1]), redis.call('ZRANGE', KEYS[1], 0, 0), redis.call('ZRANGE', KEYS[1], -1, -1) }`;

/**
 * A batch append on a single Redis: per user key, add the members, drop what left the window, keep the
 * newest `cap`, and (re)set the TTL; returns how many members were new. KEYS: the users' keys. ARGV:
 * the window's cutoff (an exclusive score), the cap, the TTL in seconds, then per key its number of
 * members and its score/member pairs. ZADD takes at most 1,000 pairs at a time (Lua's `unpack` has a
 * limit).
 */
const APPEND_BATCH = `
local cutoff, keep, ttl = ARGV[1], -(tonumber(ARGV[2]) + 1), ARGV[3]
local at, added = 4, 0
for i = 1, #KEYS do
  local key, n = KEYS[i], tonumber(ARGV[at])
  at = at + 1
  for first = 0, n - 1, 1000 do
    local last = math.min(first + 1000, n) - 1
    added = added + redis.call('ZADD', key, unpack(ARGV, at + 2 * first, at + 2 * last + 1))
  end
  at = at + 2 * n
  redis.call('ZREMRANGEBYSCORE', key, '-inf', cutoff)
  redis.call('ZREMRANGEBYRANK', key, 0, keep)
  redis.call('EXPIRE', key, ttl)
end
return added
`;

/** The client with the buffer's scripts defined. */
interface BufferCommands {
  recsysBufferVersion(key: string): Promise<[number, string[], string[]]>;
  recsysAppendBatch(...keysAndArgs: (string | number)[]): Promise<number>;
}

/**
 * The hot event buffer on Redis (docs/behaviour.md §7.4): one sorted set per user, member = the compact event
 * array or the canonical event JSON (an exact replay is stored once), score = epoch seconds, trimmed to the
 * event window and the per-user cap on every append, with a TTL renewed on every append. A batch append is
 * one script call on a single Redis (atomic: nothing runs between its writes); on Redis Cluster it is one
 * MULTI/EXEC transaction per user, since a user's key is the only key a command touches.
 */
export class RedisEventBuffer implements EventBuffer {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #windowMs: number;
  readonly #clock: () => number;
  readonly #log: RedisLogger;
  readonly #cap: number;
  readonly #ttlSeconds: number;
  readonly #encode: (event: InteractionEvent) => string;

  /** @param options - client, prefix, window, per-user cap, clock, logger */
  constructor(options: RedisStoresOptions) {
    this.#client = options.client;
    // EVALSHA after the first call (ioredis loads the script once per connection), not the text each time.
    if (!("recsysBufferVersion" in this.#client))
      this.#client.defineCommand("recsysBufferVersion", { numberOfKeys: 1, lua: BUFFER_VERSION });
    if (!("recsysAppendBatch" in this.#client))
      this.#client.defineCommand("recsysAppendBatch", { lua: APPEND_BATCH });
    this.#prefix = options.prefix ?? "default";
    this.#windowMs = (options.windowDays ?? 30) * 86_400_000;
    this.#clock = options.clock ?? Date.now;
    this.#log = options.logger ?? defaultLogger;
    this.#cap = options.maxEventsPerUser ?? 300;
    this.#encode = options.format === "reference" ? canonicalEventJson : encodeCompactEvent;
    this.#ttlSeconds = Math.ceil(this.#windowMs / 1000 + (options.bufferTtlMarginSeconds ?? 86_400));
  }

  /**
   * The sorted-set key of a user's events.
   * @param userId - the user
   */
  key(userId: string): string {
    return `${this.#prefix}:evt:${userId}`;
  }

  async append(events: readonly InteractionEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { added: 0 };
    const byUser = new Map<string, (string | number)[]>();
    for (const event of events) {
      const args = byUser.get(event.user_id) ?? [];
      args.push(eventTime(event.ts) / 1000, this.#encode(event));
      byUser.set(event.user_id, args);
    }
    const cutoff = `(${(this.#clock() - this.#windowMs) / 1000}`;
    // Per user: add, drop what left the window, keep the newest `cap`, and (re)set the key's TTL to the
    // window plus a margin, so a visitor who never returns leaves nothing behind: on a single Redis the
    // batch script for every user at once, on Cluster a transaction of the same four commands per user
    // (the ZADD answers the count).
    return guarded("append", async () => {
      if (isCluster(this.#client)) {
        const counts = await Promise.all(
          [...byUser].map(async ([user, args]) => {
            const key = this.key(user);
            const tx = this.#client
              .multi()
              .zadd(key, ...args)
              .zremrangebyscore(key, "-inf", cutoff)
              .zremrangebyrank(key, 0, -(this.#cap + 1))
              .expire(key, this.#ttlSeconds);
            return Number(checkExec(await tx.exec(), "append")[0]![1]);
          }),
        );
        return { added: counts.reduce((a, b) => a + b, 0) };
      }
      const keys: string[] = [];
      const rest: (string | number)[] = [cutoff, this.#cap, this.#ttlSeconds];
      for (const [user, args] of byUser) {
        keys.push(this.key(user));
        rest.push(args.length / 2);
        for (const arg of args) rest.push(arg);
      }
      const client = this.#client as unknown as BufferCommands;
      return { added: await client.recsysAppendBatch(keys.length, ...keys, ...rest) };
    });
  }

  async fetchEvents(userId: string): Promise<InteractionEvent[]> {
    return this.#decode(userId, await this.#members(userId));
  }

  async fetchVersioned(userId: string): Promise<VersionedEvents> {
    // One ZRANGE: the count, first and last member the version script reads are the members read.
    const members = await this.#members(userId);
    const version = JSON.stringify([members.length, members.slice(0, 1), members.slice(-1)]);
    return { events: this.#decode(userId, members), version };
  }

  /** Every stored member of a user's events, oldest first. */
  #members(userId: string): Promise<string[]> {
    return guarded("fetchEvents", () => this.#client.zrange(this.key(userId), 0, -1));
  }

  #decode(userId: string, members: readonly string[]): InteractionEvent[] {
    const events: InteractionEvent[] = [];
    for (const member of members) {
      const event = this.#parse(userId, member);
      if (event) events.push(event);
      else this.#log({ level: "warn", msg: "skipped an unreadable buffered event", key: this.key(userId) });
    }
    return events;
  }

  #parse(userId: string, member: string): InteractionEvent | null {
    let value: unknown;
    try {
      value = JSON.parse(member);
    } catch {
      return null;
    }
    if (Array.isArray(value)) return decodeCompactEvent(userId, value);
    if (isCanonicalEvent(value)) return value;
    if (typeof value !== "object" || value === null) return null;
    const record = value as Record<string, unknown>;
    // The reference service writes `2026-06-10T10:00:00Z` or an offset; normalise to the canonical UTC form.
    const ms = typeof record.ts === "string" ? parseTimestamp(record.ts) : null;
    if (ms === null) return null;
    const parsed = safeParseInteractionEvent({ ...record, ts: formatTimestamp(ms) });
    return parsed.success ? parsed.output : null;
  }

  async version(userId: string): Promise<string> {
    const key = this.key(userId);
    // Count, oldest and newest member, read atomically by one script: an append that stores anything
    // changes the count, or (when the cap or the window trimmed as much as was added) the oldest member.
    const read = await guarded("version", () =>
      (this.#client as unknown as BufferCommands).recsysBufferVersion(key),
    );
    return JSON.stringify(read);
  }

  async *users(): AsyncIterable<string> {
    const match = `${this.#prefix.replace(/[*?[\]\\]/g, "\\$&")}:evt:*`;
    const start = `${this.#prefix}:evt:`.length;
    const nodes = isCluster(this.#client) ? this.#client.nodes("master") : [this.#client];
    const seen = new Set<string>();
    for (const node of nodes) {
      let cursor = "0";
      do {
        const [next, keys] = await guarded("users", () => node.scan(cursor, "MATCH", match, "COUNT", 1000));
        cursor = next;
        for (const key of keys) {
          const user = key.slice(start);
          if (!seen.has(user)) {
            seen.add(user);
            yield user;
          }
        }
      } while (cursor !== "0");
    }
  }

  async ping(): Promise<void> {
    await guarded("ping", () => this.#client.ping());
  }
}

/** How many decoded models a model store keeps beside their bytes (the most recently read users'). */
const DECODED_MODELS = 1_000;

/**
 * User models on Redis (docs/behaviour.md §7.4): `{prefix}:umodel:{user}` = the compact binary model (the
 * default) or the reference's UserSignals JSON, with a TTL reset on every save. Both forms are read, so
 * models written by the Python service (or before the switch) are served and rewritten compactly on their
 * next save. A value that does not decode or validate is treated as a missing model (and logged), never a
 * crash.
 */
export class RedisUserModelStore implements UserModelStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #log: RedisLogger;
  readonly #compact: boolean;
  /**
   * The models last read, by user, beside the bytes they were decoded from (least recently read first):
   * a read whose bytes are the same gets the same frozen model without decoding and validating again.
   */
  readonly #decoded = new LruMap<string, { bytes: Buffer; model: UserSignals }>();

  /** @param options - client, prefix, TTL, format, logger */
  constructor(options: RedisStoresOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? "default";
    this.#ttlSeconds = Math.max(1, Math.round((options.modelTtlDays ?? 90) * 86_400));
    this.#log = options.logger ?? defaultLogger;
    this.#compact = options.format !== "reference";
  }

  /**
   * The key of a user's model.
   * @param userId - the user
   */
  key(userId: string): string {
    return `${this.#prefix}:umodel:${userId}`;
  }

  async getSignals(userId: string): Promise<UserSignals | null> {
    const bytes = await guarded("getSignals", () => this.#client.getBuffer(this.key(userId)));
    const known = this.#decoded.get(userId); // now the most recently read
    if (known !== undefined && bytes !== null && known.bytes.equals(bytes)) return known.model;
    this.#decoded.delete(userId);
    if (bytes === null) return null;
    const parsed = isCompactModel(bytes) ? decodeCompactModel(userId, bytes) : parseModelJson(bytes);
    if (!parsed.success) {
      this.#log({
        level: "warn",
        msg: "stored user model is unreadable; treating it as missing",
        key: this.key(userId),
        problem: parsed.message,
      });
      return null;
    }
    const model = freezeSignals(parsed.output);
    this.#decoded.set(userId, { bytes, model });
    while (this.#decoded.size > DECODED_MODELS) this.#decoded.shift();
    return model;
  }

  async saveSignals(signals: UserSignals): Promise<void> {
    const value = this.#compact ? encodeCompactModel(signals) : JSON.stringify(signals);
    await guarded("saveSignals", () =>
      this.#client.set(this.key(signals.user_id), value, "EX", this.#ttlSeconds),
    );
  }

  async ping(): Promise<void> {
    await guarded("ping", () => this.#client.ping());
  }
}

function parseModelJson(bytes: Buffer): ParseResult<UserSignals> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { success: false, message: "not JSON" };
  }
  return safeParseUserSignals(value);
}

/**
 * The Redis event buffer and model store over one client.
 * @param options - client, prefix, window, TTL, clock, logger
 * @example
 * const client = createRedisClient(process.env.REDIS_URL!);
 * const { eventBuffer, modelStore } = createRedisStores({ client, prefix: "default" });
 */
export function createRedisStores(options: RedisStoresOptions): {
  eventBuffer: RedisEventBuffer;
  modelStore: RedisUserModelStore;
} {
  return { eventBuffer: new RedisEventBuffer(options), modelStore: new RedisUserModelStore(options) };
}
