/**
 * The front (oldest entry) of a Map kept in insertion order: a store that drops its oldest entries first
 * (a cache whose uses move a key to the back, deleting it and setting it again, should be an `LruMap`: a
 * key moved again and again costs such a Map time in proportion to its size). `map.keys().next()` begins
 * at the table's first slot at every call and steps over each slot a deletion left empty since the
 * table was last rebuilt, so a cache that drops its oldest entry at each insertion walks more empty slots
 * the longer it runs (about 3 µs a drop at 10,000 entries, 5–10 µs at 100,000). This keeps one iterator
 * going from where the last look stopped: entries deleted behind it are never walked again, and entries
 * set later are met in their turn (a Map iterator sees what is added while it runs).
 *
 * `shift` in a loop is exact for any use. An entry `peek` returns is remembered until it is shifted or its
 * key no longer maps to the same value: a key moved to the back (deleted and set again) with the same value
 * object while it is the remembered front would still be taken for the front, so a Map whose uses move
 * keys should only `shift`.
 *
 * @example
 * const front = new MapFront(cache);
 * cache.set(key, value);
 * while (cache.size > max) front.shift();
 */
export class MapFront<K, V> {
  readonly #map: Map<K, V>;
  #cursor: Iterator<[K, V]> | null = null;
  #front: [K, V] | null = null;

  /** @param map - the Map whose front this finds (its entries in insertion order, oldest first) */
  constructor(map: Map<K, V>) {
    this.#map = map;
  }

  /** The oldest entry still in the map, or undefined when it is empty. */
  peek(): readonly [K, V] | undefined {
    const front = this.#front;
    if (front !== null && this.#map.has(front[0]) && this.#map.get(front[0]) === front[1]) return front;
    this.#front = null;
    for (let restarted = false; ; restarted = true) {
      this.#cursor ??= this.#map.entries();
      const step = this.#cursor.next();
      if (step.done !== true) {
        this.#front = step.value;
        return step.value;
      }
      // The iterator has seen every entry; a new one starts at the table's beginning.
      this.#cursor = null;
      if (restarted || this.#map.size === 0) return undefined;
    }
  }

  /** Delete the oldest entry and return it (undefined when the map is empty). */
  shift(): readonly [K, V] | undefined {
    const front = this.peek();
    if (front !== undefined) {
      this.#map.delete(front[0]);
      this.#front = null;
    }
    return front;
  }
}
