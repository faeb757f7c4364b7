import type { ActivityStore, ItemActivity, VisitorActivity, VisitorItemActivity } from "@recsys/ports";
import { guarded, isCluster, type RedisClient } from "./redis-stores.js";

/** Options of {@link RedisActivityStore}. */
export interface RedisActivityStoreOptions {
  /** The ioredis client; the application owns its lifecycle. */
  readonly client: RedisClient;
  /** Key prefix (default `default`). */
  readonly prefix?: string;
  /** A visitor's record lives this long after their last ingest (default 90 days, as models). */
  readonly ttlDays?: number;
  /** The visitors index keeps the newest this many (default 100,000). */
  readonly maxVisitors?: number;
}

/**
 * Replace one visitor's activity on one item and move the item's totals by the difference, atomically (one
 * key: works on Redis Cluster). ARGV: visitor, visits, dwell (-1: none), positive (0/1). Returns the views.
 */
const RECORD_ITEM = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
local ov, od, op, had = 0, -1, 0, 0
if old then
  had = 1
  local a, b, c = string.match(old, '([^,]+),([^,]+),([^,]+)')
  ov, od, op = tonumber(a), tonumber(b), tonumber(c)
end
local nv, nd, np = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ',' .. ARGV[3] .. ',' .. ARGV[4])
redis.call('HINCRBY', KEYS[1], '~visitors', 1 - had)
redis.call('HINCRBY', KEYS[1], '~positive', np - op)
local dn, ds = 0, 0
if nd >= 0 then dn = dn + 1; ds = ds + nd end
if od >= 0 then dn = dn - 1; ds = ds - od end
redis.call('HINCRBY', KEYS[1], '~dwell_n', dn)
redis.call('HINCRBYFLOAT', KEYS[1], '~dwell_sum', ds)
return redis.call('HINCRBY', KEYS[1], '~views', nv - ov)
`;

const TOTALS = ["~views", "~visitors", "~dwell_sum", "~dwell_n", "~positive"] as const;

/** The script as a command of the client (defined once per client). */
interface RecordItemCommand {
  recsysRecordItem(
    key: string,
    visitor: string,
    visits: number,
    dwell: number,
    positive: number,
  ): Promise<number>;
}

/**
 * The operator read models on Redis (docs/behaviour.md §6.18): `{prefix}:activity:visitors` (sorted set by
 * last interaction), `{prefix}:activity:visitor:{id}` (the visitor's summary as JSON, with a TTL),
 * `{prefix}:activity:item:{id}` (a hash: visitor → `visits,dwell,positive`, and the totals under `~`
 * fields, changed by one script per visitor and item), `{prefix}:activity:items` (sorted set by views).
 */
export class RedisActivityStore implements ActivityStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #ttlSeconds: number;
  readonly #max: number;

  /** @param options - client, prefix, TTL, cap */
  constructor(options: RedisActivityStoreOptions) {
    this.#client = options.client;
    // EVALSHA after the first call (ioredis loads the script once per connection), not the text each time.
    if (!("recsysRecordItem" in this.#client))
      this.#client.defineCommand("recsysRecordItem", { numberOfKeys: 1, lua: RECORD_ITEM });
    this.#prefix = `${options.prefix ?? "default"}:activity`;
    this.#ttlSeconds = Math.max(1, Math.round((options.ttlDays ?? 90) * 86_400));
    this.#max = options.maxVisitors ?? 100_000;
  }

  async record(visitor: VisitorActivity, items: readonly VisitorItemActivity[]): Promise<void> {
    const views = await Promise.all(
      items.map((item) =>
        guarded("activity.record", () =>
          (this.#client as unknown as RecordItemCommand).recsysRecordItem(
            `${this.#prefix}:item:${item.id}`,
            visitor.user_id,
            item.visits,
            item.dwell ?? -1,
            item.positive ? 1 : 0,
          ),
        ),
      ),
    );
    const score = visitor.last_interaction ? Date.parse(visitor.last_interaction) : 0;
    // Issued together (one write on a single Redis, the client pipelines them; each to its own node on
    // Cluster, where these keys live in different slots and a transaction could not hold them): a read
    // model, so a reader may see the visitor before the items' ranks.
    const client = this.#client;
    await guarded("activity.record", () =>
      Promise.all([
        client.set(
          `${this.#prefix}:visitor:${visitor.user_id}`,
          JSON.stringify(visitor),
          "EX",
          this.#ttlSeconds,
        ),
        client
          .zadd(`${this.#prefix}:visitors`, score, visitor.user_id)
          .then(() => client.zremrangebyrank(`${this.#prefix}:visitors`, 0, -(this.#max + 1))),
        ...items.flatMap((item, i) => [
          client.zadd(`${this.#prefix}:items`, Number(views[i]), item.id),
          client.expire(`${this.#prefix}:item:${item.id}`, this.#ttlSeconds),
        ]),
      ]),
    );
  }

  async visitors(limit: number): Promise<VisitorActivity[]> {
    const ids = await guarded("activity.visitors", () =>
      this.#client.zrevrange(`${this.#prefix}:visitors`, 0, limit - 1),
    );
    if (ids.length === 0) return [];
    const keys = ids.map((id) => `${this.#prefix}:visitor:${id}`);
    // One MGET on a single Redis; on Cluster the keys live in different slots: a GET each (pipelined).
    const client = this.#client;
    const texts = await guarded("activity.visitors", () =>
      isCluster(client) ? Promise.all(keys.map((key) => client.get(key))) : client.mget(...keys),
    );
    return texts.flatMap((text) => (text ? [JSON.parse(text) as VisitorActivity] : []));
  }

  async visitorCount(): Promise<number> {
    return guarded("activity.visitorCount", () => this.#client.zcard(`${this.#prefix}:visitors`));
  }

  async items(limit: number): Promise<ItemActivity[]> {
    const ids = await guarded("activity.items", () =>
      this.#client.zrevrange(`${this.#prefix}:items`, 0, limit - 1),
    );
    const all = await Promise.all(ids.map((id) => this.item(id)));
    return all.filter((a): a is ItemActivity => a !== null);
  }

  async item(id: string): Promise<ItemActivity | null> {
    const [views, visitors, dwellSum, dwellN, positive] = (
      await guarded("activity.item", () => this.#client.hmget(`${this.#prefix}:item:${id}`, ...TOTALS))
    ).map((v) => Number(v ?? 0));
    if (!visitors) return null;
    return {
      content_id: id,
      views: views!,
      visitors: visitors!,
      avg_dwell: dwellN! > 0 ? dwellSum! / dwellN! : null,
      positive: positive!,
      positive_rate: positive! / visitors!,
    };
  }

  async ping(): Promise<void> {
    await guarded("ping", () => this.#client.ping());
  }
}
