import type { Content } from "../schemas/content.js";

/** A dense embedding. Stores hand out `Float32Array`s; JSON uses `number[]`. */
export type Vector = Float32Array;

/** A circle on the map. */
export interface GeoRadius {
  /** Latitude of the centre, degrees. */
  readonly lat: number;
  /** Longitude of the centre, degrees. */
  readonly lon: number;
  /** Radius in metres. */
  readonly radiusM: number;
}

/** Options shared by every content query. */
export interface QueryOptions {
  /** Maximum number of hits. */
  readonly limit: number;
  /** Item ids the store must leave out (applied inside the query, before `limit`). */
  readonly exclude?: ReadonlySet<string> | undefined;
}

/**
 * How closely a store with an approximate vector index must find the true nearest items: `high` (the
 * default) searches as widely as the store's recall needs; `low` allows a narrower, cheaper search (a
 * query that needs items near a direction, not the very nearest: the distractor's negated taste). Exact
 * stores answer both alike.
 */
export type VectorPrecision = "high" | "low";

/**
 * The HNSW search beam (ef) a store with an approximate index uses for a `low`-precision vector query (it
 * widens to the limit when the limit is larger): a third of the time of a 256-wide beam, its best hit still
 * among the truly farthest few for the distractor's negated taste (BENCHMARKS.md).
 */
export const LOW_PRECISION_BEAM = 64;

/**
 * One query of a batch. Each kind mirrors a single-query method of {@link ContentStore}:
 * - `vector`: nearest items by cosine similarity, best first (ties: catalogue order); `precision` (see
 *   {@link VectorPrecision}) may let an approximate index search less widely.
 * - `tags`: items having any of the normalised tag keys, ranked by weighted overlap
 *   `Σ weights[key] · tag.weight` over the item's matching tags (ties: ascending id).
 * - `filter`: items matching every constraint given: a tag whose normalised label equals the normalised
 *   filter `value`, and/or a position within `geo.radiusM` metres of a point. Nearest first when `geo` is
 *   given, else catalogue id order (numeric ids ascending, then other ids).
 * - `sample`: a sample of items (random, or ascending id for a deterministic store).
 * - `ids`: the named items (missing ids are left out), in the order asked.
 */
export type ContentQuery =
  | ({
      readonly kind: "vector";
      readonly vector: ArrayLike<number>;
      readonly precision?: VectorPrecision | undefined;
    } & QueryOptions)
  | ({ readonly kind: "tags"; readonly weights: Readonly<Record<string, number>> } & QueryOptions)
  | ({
      readonly kind: "filter";
      readonly value?: string | undefined;
      readonly geo?: GeoRadius | undefined;
    } & QueryOptions)
  | ({ readonly kind: "sample" } & QueryOptions)
  | { readonly kind: "ids"; readonly ids: readonly string[] };

/**
 * One hit of a query. It carries the item's content and vector whenever the store has them, so the serve
 * path needs no second fetch.
 */
export interface ContentHit {
  /** The item id. */
  readonly id: string;
  /** The recall score: cosine for `vector`, overlap for `tags`, negative distance in metres for a `filter` with `geo`, else 0. */
  readonly score: number;
  /** The item's content, or null when the store has none. */
  readonly content: Content | null;
  /** The item's vector, or null when the store has none. */
  readonly vector: Vector | null;
}

/**
 * Read access to the catalogue. Every method is one round trip to the backing store; `query` runs several
 * queries in one round trip and is what the serve path uses.
 */
export interface ContentStore {
  /**
   * Run several queries in one round trip.
   * @param queries - the queries
   * @returns one hit list per query, in the same order
   */
  query(queries: readonly ContentQuery[]): Promise<ContentHit[][]>;
  /**
   * Fetch contents by id. Unknown ids are omitted.
   * @param ids - item ids
   */
  get(ids: readonly string[]): Promise<Map<string, Content>>;
  /**
   * Fetch vectors by id. Unknown ids, and items without a vector, are omitted.
   * @param ids - item ids
   */
  getVectors(ids: readonly string[]): Promise<Map<string, Vector>>;
  /** The catalogue's vector dimension, or null when unknown (empty catalogue). */
  dimension(): Promise<number | null>;
  /** Check the store is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
