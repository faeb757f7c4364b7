/** One entry of an {@link LruMap}: a link in its list, least recently used first. */
class Entry<K, V> {
  prev: Entry<K, V> | null = null;
  next: Entry<K, V> | null = null;
  constructor(
    readonly key: K,
    public value: V,
  ) {}
}

/**
 * A map kept in least-recently-used order, for caches and stores that drop their least recently used
 * entries past a bound. Every operation is O(1) however the keys are used.
 *
 * A JavaScript `Map` used the obvious way (delete a key and set it again to make it the newest) is not:
 * V8 leaves a deleted entry in its bucket's chain until the table is rebuilt, so setting a key that was
 * just deleted walks every earlier copy of it, and a key used again and again (a warm user asking again, a
 * sender's events for one user) costs time in proportion to the table's size: about 21 µs a delete-and-set
 * at 10,000 keys and 76 µs at 100,000, against 0.13 µs for keys that take turns (Node 20). Here the order
 * is a linked list beside a `Map` that is only written when a key comes or goes.
 *
 * (The `lru-cache` package does the same, but allocates index arrays for its whole bound up front, and the
 * stores' bound is a setting of up to 100,000,000 users.)
 *
 * @example
 * const cache = new LruMap<string, number>();
 * cache.set("a", 1).set("b", 2);
 * cache.get("a"); // "a" is now the most recently used
 * cache.shift(); // ["b", 2]: the least recently used goes first
 */
export class LruMap<K, V> {
  readonly #entries = new Map<K, Entry<K, V>>();
  /** The least recently used entry. */
  #oldest: Entry<K, V> | null = null;
  /** The most recently used entry. */
  #newest: Entry<K, V> | null = null;

  /** Number of entries. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Whether `key` has an entry (its recency unchanged).
   * @param key - the key
   */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /**
   * The value of `key`, its recency unchanged.
   * @param key - the key
   */
  peek(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /**
   * The value of `key`, which becomes the most recently used.
   * @param key - the key
   */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#toNewest(entry);
    return entry.value;
  }

  /**
   * Set the value of `key` (new or replaced), which becomes the most recently used.
   * @param key - the key
   * @param value - its value
   */
  set(key: K, value: V): this {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      this.#toNewest(entry);
      return this;
    }
    const added = new Entry(key, value);
    this.#entries.set(key, added);
    this.#append(added);
    return this;
  }

  /**
   * Delete the entry of `key`; whether there was one.
   * @param key - the key
   */
  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#unlink(entry);
    return true;
  }

  /** The least recently used entry, left in place (undefined when empty). */
  oldest(): readonly [K, V] | undefined {
    const entry = this.#oldest;
    return entry === null ? undefined : [entry.key, entry.value];
  }

  /** Delete the least recently used entry and return it (undefined when empty). */
  shift(): readonly [K, V] | undefined {
    const entry = this.#oldest;
    if (entry === null) return undefined;
    this.#entries.delete(entry.key);
    this.#unlink(entry);
    return [entry.key, entry.value];
  }

  /** The keys, least recently used first (a copy: the map may change while it is read). */
  keys(): K[] {
    const out: K[] = [];
    for (let entry = this.#oldest; entry !== null; entry = entry.next) out.push(entry.key);
    return out;
  }

  /** The values, least recently used first (a copy). */
  values(): V[] {
    const out: V[] = [];
    for (let entry = this.#oldest; entry !== null; entry = entry.next) out.push(entry.value);
    return out;
  }

  #toNewest(entry: Entry<K, V>): void {
    if (entry === this.#newest) return;
    this.#unlink(entry);
    this.#append(entry);
  }

  #append(entry: Entry<K, V>): void {
    entry.prev = this.#newest;
    entry.next = null;
    if (this.#newest === null) this.#oldest = entry;
    else this.#newest.next = entry;
    this.#newest = entry;
  }

  #unlink(entry: Entry<K, V>): void {
    if (entry.prev === null) this.#oldest = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === null) this.#newest = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = null;
    entry.next = null;
  }
}
