// Shared read-only values: frozen, so what is derived from them can be kept beside them.

/**
 * Freeze a value deeply: the object, and every object and array it holds. Shared read-only values
 * (models, catalogue items) are frozen so what is derived from them can be kept beside them.
 * @param value - plain JSON-like data (typed arrays cannot be frozen and are not expected here)
 * @returns the same value, frozen
 */
export function freezeDeep<T>(value: T): T {
  if (unfrozenObject(value)) freezeObject(value);
  return value;
}

function unfrozenObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Object.isFrozen(value);
}

/** Freeze an object and what it holds, visiting only members that are objects (most are not). */
function freezeObject(value: object): void {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const member: unknown = value[i];
      if (unfrozenObject(member)) freezeObject(member);
    }
  } else {
    // Own keys without the array Object.values would allocate for every object.
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const member: unknown = (value as Record<string, unknown>)[key];
      if (unfrozenObject(member)) freezeObject(member);
    }
  }
}

function refuse(): never {
  throw new TypeError("this set is frozen");
}

/**
 * Make a set read-only (its `add`, `delete` and `clear` throw, which {@link isFrozenSet} recognises), for
 * caches keyed on it: serving's seen set of a frozen model is one, and a store may keep a query's answer
 * beside it.
 * @param set - a set no one changes from now on
 * @returns the same set
 */
export function freezeSet<T>(set: Set<T>): ReadonlySet<T> {
  Object.defineProperties(set, {
    add: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  });
  return Object.freeze(set);
}

/**
 * Whether a set was made read-only by {@link freezeSet}.
 * @param set - any set
 */
export function isFrozenSet(set: ReadonlySet<unknown>): boolean {
  return (set as Set<unknown>).add === refuse;
}
