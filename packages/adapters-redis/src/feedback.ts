import type { FeedbackStore, Impression, PolicySums, ServedEntry, ServedLog } from "@recsys/ports";
import { safeParseServedEntry } from "@recsys/ports";
import { checkExec, guarded, type RedisClient } from "./redis-stores.js";

/**
 * A served list's impressions and their TTL in one command (the script is atomic, as a MULTI of HSET and
 * EXPIRE was, in one command instead of four): KEYS[1] the list's hash; ARGV: the TTL in seconds, then
 * content id / impression JSON pairs.
 */
const PUT_IMPRESSIONS = `redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return redis.call('EXPIRE', KEYS[1], ARGV[1])`;

/** The client with the feedback store's script defined. */
interface FeedbackCommands {
  recsysPutImpressions(key: string, ttlSeconds: number, ...fields: string[]): Promise<number>;
}

/** Options of {@link RedisFeedbackStore}. */
export interface RedisFeedbackStoreOptions {
  /** The ioredis client; the application owns its lifecycle. */
  readonly client: RedisClient;
  /** Key prefix (default `default`): keys `{prefix}:imp:{request_id}` and `{prefix}:policy:linucb`. */
  readonly prefix?: string;
  /** An impression waits this long for its reward (the setting `impression_ttl_hours`, default 24). */
  readonly impressionTtlHours?: number;
  /** The policy's dimension (default 6). */
  readonly dimension?: number;
}

/**
 * Impressions and the LinUCB sums on Redis, shared by every replica (docs/behaviour.md §7.4):
 *
 * - `{prefix}:imp:{request_id}`: a hash, content id → its impression as JSON, with a TTL (both set by one
 *   script). Taking an impression is `HGET` + `HDEL` in one MULTI/EXEC: only the caller whose `HDEL`
 *   removed the field gets the features, so a reward is counted once under re-delivery and across replicas.
 * - `{prefix}:policy:linucb`: a hash of the sums (`A0`…`A35`, `b0`…`b5`, `n`), updated only by
 *   `HINCRBYFLOAT`/`HINCRBY` in one MULTI/EXEC: additions commute, so no replica ever overwrites another's.
 */
export class RedisFeedbackStore implements FeedbackStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #d: number;

  /** @param options - client, prefix, TTL */
  constructor(options: RedisFeedbackStoreOptions) {
    this.#client = options.client;
    // EVALSHA after the first call (ioredis loads the script once per connection), not the text each time.
    if (!("recsysPutImpressions" in this.#client))
      this.#client.defineCommand("recsysPutImpressions", { numberOfKeys: 1, lua: PUT_IMPRESSIONS });
    this.#prefix = options.prefix ?? "default";
    this.#ttlSeconds = Math.max(1, Math.round((options.impressionTtlHours ?? 24) * 3600));
    this.#d = options.dimension ?? 6;
  }

  #impressionKey(requestId: string): string {
    return `${this.#prefix}:imp:${requestId}`;
  }

  /** The key of the policy's sums. */
  get policyKey(): string {
    return `${this.#prefix}:policy:linucb`;
  }

  async putImpressions(
    requestId: string,
    impressions: Readonly<Record<string, Impression>>,
    texts?: Readonly<Record<string, string>>,
  ): Promise<void> {
    const fields = Object.entries(impressions).flatMap(([id, impression]) => [
      id,
      (texts && Object.hasOwn(texts, id) ? texts[id] : undefined) ?? JSON.stringify(impression),
    ]);
    if (fields.length === 0) return;
    const key = this.#impressionKey(requestId);
    await guarded("putImpressions", () =>
      (this.#client as unknown as FeedbackCommands).recsysPutImpressions(key, this.#ttlSeconds, ...fields),
    );
  }

  async consumeImpression(requestId: string, contentId: string): Promise<Impression | null> {
    const key = this.#impressionKey(requestId);
    const results = await guarded("consumeImpression", async () =>
      checkExec(
        await this.#client.multi().hget(key, contentId).hdel(key, contentId).exec(),
        "consumeImpression",
      ),
    );
    const value = results[0]?.[1];
    const removed = results[1]?.[1];
    if (removed !== 1 || typeof value !== "string") return null;
    return parseImpression(value);
  }

  async policySums(): Promise<PolicySums> {
    const hash = await guarded("policySums", () => this.#client.hgetall(this.policyKey));
    const read = (field: string) => {
      const value = Number(hash[field] ?? 0);
      return Number.isFinite(value) ? value : 0;
    };
    return {
      A: Array.from({ length: this.#d * this.#d }, (_, i) => read(`A${i}`)),
      b: Array.from({ length: this.#d }, (_, i) => read(`b${i}`)),
      n_updates: read("n"),
    };
  }

  async addToPolicy(delta: PolicySums): Promise<void> {
    const key = this.policyKey;
    let tx = this.#client.multi();
    delta.A.forEach((value, i) => {
      if (value !== 0) tx = tx.hincrbyfloat(key, `A${i}`, value);
    });
    delta.b.forEach((value, i) => {
      if (value !== 0) tx = tx.hincrbyfloat(key, `b${i}`, value);
    });
    tx = tx.hincrby(key, "n", delta.n_updates);
    await guarded("addToPolicy", async () => checkExec(await tx.exec(), "addToPolicy"));
  }

  async seedPolicy(sums: PolicySums, token: string): Promise<boolean> {
    const fields: (string | number)[] = [];
    sums.A.forEach((value, i) => {
      if (value !== 0) fields.push(`A${i}`, value);
    });
    sums.b.forEach((value, i) => {
      if (value !== 0) fields.push(`b${i}`, value);
    });
    // One script on the one key: the check and the additions cannot interleave with another replica's.
    const seeded = await guarded("seedPolicy", () =>
      this.#client.eval(SEED_SCRIPT, 1, this.policyKey, token, sums.n_updates, ...fields),
    );
    return seeded === 1;
  }

  async resetPolicy(): Promise<void> {
    await guarded("resetPolicy", () => this.#client.del(this.policyKey));
  }

  async ping(): Promise<void> {
    await guarded("ping", () => this.#client.ping());
  }
}

/** Seed the sums unless anything was learned or seeded: ARGV = token, n, then field/value pairs. */
const SEED_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'seed') == 1 or redis.call('HEXISTS', KEYS[1], 'n') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'seed', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'n', ARGV[2])
for i = 3, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

/** Options of {@link RedisServedLog}. */
export interface RedisServedLogOptions {
  /** The ioredis client; the application owns its lifecycle. */
  readonly client: RedisClient;
  /** Key prefix (default `default`): the stream is `{prefix}:served`. */
  readonly prefix?: string;
  /** At most about this many lists (the setting `served_log_max_entries`, default 100,000). */
  readonly maxEntries?: number;
  /** Lists are kept this long, and the key expires this long after the last list (default 7 days). */
  readonly ttlDays?: number;
  /** The clock the age counts by (default `Date.now`). */
  readonly clock?: () => number;
}

/**
 * The served log on Redis: one stream per prefix (`{prefix}:served`), each entry one field `e` = the
 * entry's JSON. Every append caps the stream's length (`MAXLEN ~`); at most once a second an append also
 * drops entries older than the age (`MINID ~`) and renews the key's TTL, in one MULTI/EXEC.
 */
export class RedisServedLog implements ServedLog {
  readonly #client: RedisClient;
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  #maintainedAt = Number.NEGATIVE_INFINITY;
  /** The stream's key. */
  readonly key: string;

  /** @param options - client, prefix, cap, age, clock */
  constructor(options: RedisServedLogOptions) {
    this.#client = options.client;
    this.key = `${options.prefix ?? "default"}:served`;
    this.#max = options.maxEntries ?? 100_000;
    this.#ttlMs = (options.ttlDays ?? 7) * 86_400_000;
    this.#clock = options.clock ?? Date.now;
  }

  async append(entry: ServedEntry, text?: string): Promise<void> {
    const now = this.#clock();
    const add = ["MAXLEN", "~", this.#max, "*", "e", text ?? JSON.stringify(entry)] as const;
    // The age trim and the key's TTL are renewed at most once a second: one XADD per list otherwise.
    if (now - this.#maintainedAt < 1000) {
      await guarded("servedLog.append", () => this.#client.xadd(this.key, ...add));
      return;
    }
    this.#maintainedAt = now;
    await guarded("servedLog.append", async () =>
      checkExec(
        await this.#client
          .multi()
          .xadd(this.key, ...add)
          .xtrim(this.key, "MINID", "~", now - this.#ttlMs)
          .pexpire(this.key, this.#ttlMs)
          .exec(),
        "servedLog.append",
      ),
    );
  }

  async recent(options: { readonly limit?: number; readonly userId?: string } = {}): Promise<ServedEntry[]> {
    const limit = options.limit ?? 50;
    const oldest = this.#clock() - this.#ttlMs;
    const out: ServedEntry[] = [];
    let end = "+";
    // newest first, a page at a time; a user filter reads at most 50 pages
    for (let page = 0; page < 50 && out.length < limit; page++) {
      const rows = await guarded("servedLog.recent", () =>
        this.#client.xrevrange(this.key, end, "-", "COUNT", Math.max(limit, 200)),
      );
      for (const [id, fields] of rows) {
        if (Number(id.split("-")[0]) <= oldest) return out;
        const parsed = safeParseServedEntry(safeJson(fields[1]));
        if (parsed.success && (options.userId === undefined || parsed.output.user_id === options.userId))
          out.push(parsed.output);
        if (out.length >= limit) return out;
      }
      if (rows.length === 0) break;
      end = `(${rows[rows.length - 1]![0]}`;
    }
    return out;
  }

  async ping(): Promise<void> {
    await guarded("ping", () => this.#client.ping());
  }
}

function parseImpression(text: string): Impression | null {
  const value = safeJson(text) as Partial<Impression> | null;
  if (typeof value !== "object" || value === null) return null;
  const { features, rank, strategy, ranking, variant } = value;
  if (!Array.isArray(features) || !features.every((v) => typeof v === "number")) return null;
  return {
    features,
    rank: typeof rank === "number" ? rank : 0,
    strategy: typeof strategy === "string" ? strategy : "unknown",
    ranking: typeof ranking === "string" ? ranking : "unknown",
    variant: typeof variant === "string" ? variant : null,
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
