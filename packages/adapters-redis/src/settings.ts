import type { RuntimeSettings, SettingsChange, SettingsStore } from "@recsys/ports";
import { optimisticChange } from "./optimistic.js";
import { guarded, type RedisClient } from "./redis-stores.js";

/** Options of {@link RedisSettingsStore}. */
export interface RedisSettingsStoreOptions {
  /** The ioredis client; the application owns its lifecycle. */
  readonly client: RedisClient;
  /** Key prefix (default `default`): the key is `{prefix}:recsys:settings`. */
  readonly prefix?: string;
  /** The change log keeps the newest this many (default 1,000). */
  readonly maxChanges?: number;
}

/**
 * Runtime settings on Redis, shared by every replica (docs/behaviour.md §3.1): one hash
 * `{prefix}:recsys:settings` with the fields `version`, `override` (JSON) and `changes` (the JSON change
 * log, newest first). A change is optimistic: `WATCH` the key, read it, compute, and write it in one
 * MULTI/EXEC, again when another replica changed it meanwhile; one key, so it works on Redis Cluster.
 */
export class RedisSettingsStore implements SettingsStore {
  readonly #client: RedisClient;
  readonly #max: number;
  /** The hash's key. */
  readonly key: string;

  /** @param options - client, prefix */
  constructor(options: RedisSettingsStoreOptions) {
    this.#client = options.client;
    this.key = `${options.prefix ?? "default"}:recsys:settings`;
    this.#max = options.maxChanges ?? 1000;
  }

  async current(): Promise<RuntimeSettings> {
    const [version, override] = await guarded("settings.current", () =>
      this.#client.hmget(this.key, "version", "override"),
    );
    return {
      version: Number(version ?? 0),
      override: override ? (JSON.parse(override) as Record<string, unknown>) : {},
    };
  }

  async version(): Promise<number> {
    return Number((await guarded("settings.version", () => this.#client.hget(this.key, "version"))) ?? 0);
  }

  async update(
    change: (current: Readonly<Record<string, unknown>>) => Record<string, unknown>,
    entry: Omit<SettingsChange, "version">,
  ): Promise<RuntimeSettings> {
    return optimisticChange(this.#client, this.key, "settings.update", async (connection) => {
      const [version, override, changes] = await guarded("settings.update", () =>
        connection.hmget(this.key, "version", "override", "changes"),
      );
      const next = change(override ? (JSON.parse(override) as Record<string, unknown>) : {});
      const nextVersion = Number(version ?? 0) + 1;
      const log = [
        { ...entry, version: nextVersion },
        ...(changes ? (JSON.parse(changes) as SettingsChange[]) : []),
      ];
      return {
        write: (multi) =>
          multi.hset(
            this.key,
            "version",
            nextVersion,
            "override",
            JSON.stringify(next),
            "changes",
            JSON.stringify(log.slice(0, this.#max)),
          ),
        result: { version: nextVersion, override: next },
      };
    });
  }

  async changes(limit = 50): Promise<SettingsChange[]> {
    const text = await guarded("settings.changes", () => this.#client.hget(this.key, "changes"));
    return text ? (JSON.parse(text) as SettingsChange[]).slice(0, limit) : [];
  }

  async ping(): Promise<void> {
    await guarded("ping", () => this.#client.ping());
  }
}
