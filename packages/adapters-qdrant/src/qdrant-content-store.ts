import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { haversineM } from "@recsys/core/scoring";
import { compareIds, normalizeFilterValue, normalizeKey } from "@recsys/core/taxonomy";
import {
  type Content,
  type ContentHit,
  type ContentQuery,
  type ContentStore,
  contentFromPayload,
  LOW_PRECISION_BEAM,
  type Vector,
} from "@recsys/ports";
import { guarded } from "./errors.js";
import { itemIdOf, type PointId, toPointId } from "./ids.js";

/** Options of {@link QdrantContentStore}. */
export interface QdrantContentStoreOptions {
  /** The client; the application owns it. Create it with `timeout` (ms) and `checkCompatibility: false`. */
  readonly client: QdrantClient;
  /** The collection (`QDRANT_COLLECTION`, default `omeka-items`). */
  readonly collection?: string;
  /** Name of the vector, for collections with named vectors (default: the unnamed vector). */
  readonly vectorName?: string;
  /**
   * How many filtered points to read when a query must be ranked on our side (tag overlap, geo distance):
   * `max(limit × overFetch, 256)`, at most 4096 (default 8).
   */
  readonly overFetch?: number;
}

type Point = Schemas["ScoredPoint"] | Schemas["Record"];

/** Points per follow-up request when a ranked-on-our-side query has more matches than its first answer. */
const REST_PAGE = 1024;
type Condition = Schemas["Condition"];

function pointIds(ids: Iterable<string>): PointId[] {
  return [...ids].map(toPointId);
}

/**
 * The {@link ContentStore} port on Qdrant (docs/behaviour.md §7.1–§7.3). Every port method is one HTTP
 * request (but see tag recall below): `query` sends all its queries as one `POST /points/query/batch` with `with_payload` and
 * `with_vector`, so hits carry their content and vector. Seen items are excluded inside each query
 * (`must_not: has_id`). Tag recall filters on `tag_labels` and ranks the matches by weighted overlap;
 * filters match `tag_values`; geo filters use `locations` and are ordered by distance; samples use the
 * Query API's random sample. Tag recall and geo order are computed here over every match: when more
 * points match than the first answer's over-fetch (`max(limit × overFetch, 256)`), the rest are read in
 * follow-up requests of 1,024, so the best match is never lost to Qdrant's id order.
 */
export class QdrantContentStore implements ContentStore {
  readonly #client: QdrantClient;
  readonly #collection: string;
  readonly #using: string | undefined;
  readonly #overFetch: number;
  /** Number of Qdrant HTTP requests made (for round-trip accounting). */
  requests = 0;

  /** @param options - client, collection, vector name, over-fetch */
  constructor(options: QdrantContentStoreOptions) {
    this.#client = options.client;
    this.#collection = options.collection ?? "omeka-items";
    this.#using = options.vectorName;
    this.#overFetch = options.overFetch ?? 8;
  }

  /** The collection name. */
  get collection(): string {
    return this.#collection;
  }

  async query(queries: readonly ContentQuery[]): Promise<ContentHit[][]> {
    if (queries.length === 0) return [];
    const searches = queries.map((q) => this.#request(q));
    this.requests += 1;
    const results = await guarded("query", () => this.#client.queryBatch(this.#collection, { searches }));
    const points: Point[][] = queries.map((_, i) => results[i]?.points ?? []);
    await Promise.all(
      queries.map(async (query, i) => {
        // Tag recall and geo order are ranked on our side, over every match: a full answer may have left
        // the best matches beyond it (Qdrant returns filtered points in id order), so read the rest.
        if ((query.kind === "tags" || (query.kind === "filter" && query.geo)) && points[i]!.length > 0) {
          const first = searches[i]!;
          if (points[i]!.length >= (first.limit ?? 10)) points[i] = await this.#rest(first, points[i]!);
        }
      }),
    );
    return queries.map((query, i) => this.#finish(query, points[i]!));
  }

  /** Every further match of a filtered query in id order, page by page, after `first`. */
  async #rest(request: Schemas["QueryRequest"], first: readonly Point[]): Promise<Point[]> {
    const all: Point[] = [...first];
    const page = REST_PAGE;
    for (;;) {
      this.requests += 1;
      const next = await guarded("query", () =>
        this.#client.query(this.#collection, { ...request, limit: page, offset: all.length }),
      );
      all.push(...next.points);
      if (next.points.length < page) return all;
    }
  }

  async get(ids: readonly string[]): Promise<Map<string, Content>> {
    const points = await this.#retrieve(ids, true, false);
    return new Map(points.map(({ id, point }) => [id, contentFromPayload(id, point.payload ?? {})]));
  }

  async getVectors(ids: readonly string[]): Promise<Map<string, Vector>> {
    const points = await this.#retrieve(ids, false, true);
    const out = new Map<string, Vector>();
    for (const { id, point } of points) {
      const vector = this.#vectorOf(point);
      if (vector) out.set(id, vector);
    }
    return out;
  }

  async dimension(): Promise<number | null> {
    this.requests += 1;
    const info = await guarded("getCollection", () => this.#client.getCollection(this.#collection));
    return vectorParams(info, this.#using)?.size ?? null;
  }

  async ping(): Promise<void> {
    await this.dimension();
  }

  /** Points by item id, each with the caller's id (a derived UUID maps back to the id it came from). */
  async #retrieve(
    ids: readonly string[],
    withPayload: boolean,
    withVector: boolean,
  ): Promise<{ id: string; point: Schemas["Record"] }[]> {
    const callerIds = new Map(ids.map((id) => [String(toPointId(id)), id]));
    if (callerIds.size === 0) return [];
    this.requests += 1;
    const points = await guarded("retrieve", () =>
      this.#client.retrieve(this.#collection, {
        ids: ids.map(toPointId),
        with_payload: withPayload,
        with_vector: this.#withVector(withVector),
      }),
    );
    return points.flatMap((point) => {
      const id = callerIds.get(String(point.id));
      return id === undefined ? [] : [{ id, point }];
    });
  }

  #withVector(on: boolean): Schemas["WithVector"] {
    return on && this.#using ? [this.#using] : on;
  }

  #vectorOf(point: Point): Float32Array | null {
    const raw = point.vector as unknown;
    if (Array.isArray(raw)) return Float32Array.from(raw as number[]);
    if (raw && typeof raw === "object") {
      const named = this.#using ? (raw as Record<string, unknown>)[this.#using] : Object.values(raw)[0];
      if (Array.isArray(named)) return Float32Array.from(named as number[]);
    }
    return null;
  }

  #overFetchLimit(limit: number): number {
    return Math.min(4096, Math.max(limit * this.#overFetch, 256));
  }

  #request(query: ContentQuery): Schemas["QueryRequest"] {
    const common = { with_payload: true, with_vector: this.#withVector(true) };
    const exclude = query.kind === "ids" ? undefined : query.exclude;
    const mustNot: Condition[] = exclude && exclude.size > 0 ? [{ has_id: pointIds(exclude) }] : [];
    const filter = (must: Condition[], should: Condition[] = []): Schemas["Filter"] | undefined => {
      const out: Schemas["Filter"] = {};
      if (must.length > 0) out.must = must;
      if (should.length > 0) out.should = should;
      if (mustNot.length > 0) out.must_not = mustNot;
      return Object.keys(out).length > 0 ? out : undefined;
    };
    const withFilter = (f: Schemas["Filter"] | undefined) => (f ? { filter: f } : {});
    switch (query.kind) {
      case "ids": {
        const ids = pointIds(query.ids);
        return { ...common, filter: { must: [{ has_id: ids }] }, limit: Math.max(ids.length, 1) };
      }
      case "vector":
        return {
          ...common,
          query: Array.from(query.vector),
          ...(this.#using ? { using: this.#using } : {}),
          ...withFilter(filter([])),
          // A low-precision query searches the ports' narrow beam instead of the collection's default (its
          // `ef_construct`, 100 unless configured; Qdrant widens it to the limit when the limit is larger); a
          // high-precision one keeps the collection's settings.
          ...(query.precision === "low" ? { params: { hnsw_ef: LOW_PRECISION_BEAM } } : {}),
          limit: query.limit,
        };
      case "tags": {
        const keys = Object.keys(query.weights).map(normalizeKey);
        return {
          ...common,
          ...withFilter(filter([], [{ key: "tag_labels", match: { any: keys } }])),
          limit: this.#overFetchLimit(query.limit),
        };
      }
      case "filter": {
        const must: Condition[] = [];
        if (query.value !== undefined)
          must.push({ key: "tag_values", match: { any: [normalizeFilterValue(query.value)] } });
        if (query.geo) {
          must.push({
            key: "locations",
            geo_radius: { center: { lat: query.geo.lat, lon: query.geo.lon }, radius: query.geo.radiusM },
          });
        }
        const limit = query.geo ? this.#overFetchLimit(query.limit) : query.limit;
        return { ...common, ...withFilter(filter(must)), limit };
      }
      case "sample":
        return { ...common, query: { sample: "random" }, ...withFilter(filter([])), limit: query.limit };
    }
  }

  #hit(point: Point, score: number): ContentHit {
    const id = itemIdOf(point.id, point.payload);
    return { id, score, content: contentFromPayload(id, point.payload ?? {}), vector: this.#vectorOf(point) };
  }

  #finish(query: ContentQuery, points: readonly Point[]): ContentHit[] {
    switch (query.kind) {
      case "ids": {
        const byId = new Map(points.map((p) => [itemIdOf(p.id, p.payload), p]));
        return query.ids.flatMap((id) => {
          const p = byId.get(id);
          return p ? [this.#hit(p, 0)] : [];
        });
      }
      case "vector":
        return points.map((p) => this.#hit(p, "score" in p ? p.score : 0));
      case "tags": {
        const weights = new Map(Object.entries(query.weights).map(([k, w]) => [normalizeKey(k), w]));
        return points
          .map((p) => {
            const hit = this.#hit(p, 0);
            const tags = new Map(
              (hit.content?.tags ?? []).map((t) => [normalizeKey(`${t.facet}:${t.label}`), t.weight]),
            );
            let score = 0;
            for (const [key, w] of tags) score += (weights.get(key) ?? 0) * w;
            return { ...hit, score };
          })
          .sort((a, b) => b.score - a.score || compareIds(a.id, b.id))
          .slice(0, query.limit);
      }
      case "filter": {
        const geo = query.geo;
        const hits = points.map((p) => this.#hit(p, 0));
        if (!geo) return hits.sort((a, b) => compareIds(a.id, b.id)).slice(0, query.limit);
        return hits
          .map((hit) => {
            const c = hit.content;
            const d =
              c && c.lat !== null && c.lon !== null
                ? haversineM(geo.lat, geo.lon, c.lat, c.lon)
                : Number.POSITIVE_INFINITY;
            return { ...hit, score: -d };
          })
          .sort((a, b) => b.score - a.score || compareIds(a.id, b.id))
          .slice(0, query.limit);
      }
      case "sample":
        return points.map((p) => this.#hit(p, 0));
    }
  }
}

/**
 * The vector parameters of a collection (the named one, or the unnamed one).
 * @param info - the collection info
 * @param name - the vector name, if named
 */
export function vectorParams(
  info: Schemas["CollectionInfo"],
  name?: string,
): Schemas["VectorParams"] | undefined {
  const vectors = info.config.params.vectors as unknown;
  if (!vectors || typeof vectors !== "object") return undefined;
  if ("size" in vectors) return vectors as Schemas["VectorParams"];
  const all = vectors as Record<string, Schemas["VectorParams"]>;
  return name ? all[name] : Object.values(all)[0];
}
