/**
 * Work done once per frozen object: a frozen model or catalogue item cannot change, so what is derived
 * from it (normalised tag weights, the seen set, the strongest affinity keys) is kept beside it, for as
 * long as the object lives. An object that is not frozen is computed for every call, as before.
 * @param cache - where the derived values live (one per kind of derived value)
 * @param key - the object the value derives from
 * @param compute - the derivation
 */
export function onceForFrozen<K extends object, V>(cache: WeakMap<K, V>, key: K, compute: () => V): V {
  if (!Object.isFrozen(key)) return compute();
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}

/**
 * Bound a Map used as a least-recently-used cache (each use deletes its key and sets it again, so the
 * oldest entry comes first): when it holds more than `max` entries, drop the oldest ones, down to an eighth
 * below the bound. V8's Map iteration starts at the table's first slot and steps over every slot a
 * deletion left empty until the table is rebuilt, so dropping one entry at a time with `keys().next()`
 * walks those slots at every insertion (about 3 µs a drop at 10,000 entries); dropping an eighth at once
 * pays that walk once per `max / 8` insertions. For caches only: entries go before the bound requires it.
 * @param map - the cache, oldest entry first
 * @param max - the most entries it may hold (0: none)
 * @returns how many entries were dropped
 * @example
 * cache.delete(key);
 * cache.set(key, value); // most recently used
 * keepNewest(cache, 10_000);
 */
export function keepNewest<K, V>(map: Map<K, V>, max: number): number {
  if (map.size <= max) return 0;
  const dropped = map.size - Math.max(0, max - Math.floor(max / 8));
  let left = dropped;
  for (const key of map.keys()) {
    if (left === 0) break;
    map.delete(key);
    left -= 1;
  }
  return dropped;
}
