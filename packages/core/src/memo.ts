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
