import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { normalizeFilterValue, normalizeKey } from "@recsys/core/taxonomy";
import { ConfigError, contentFromPayload } from "@recsys/ports";
import { guarded } from "./errors.js";
import { ITEM_ID_FIELD, isNativePointId, toPointId } from "./ids.js";
import { vectorParams } from "./qdrant-content-store.js";

/** The payload indexes recsys queries (docs/behaviour.md §7.3). */
export const PAYLOAD_INDEXES: readonly { readonly field: string; readonly schema: "keyword" | "geo" }[] = [
  { field: "tag_labels", schema: "keyword" },
  { field: "tag_values", schema: "keyword" },
  { field: "locations", schema: "geo" },
];

/** What {@link ensureCollection} did. */
export interface EnsureResult {
  readonly created: boolean;
  readonly indexesCreated: readonly string[];
}

/**
 * Make sure the collection exists with cosine distance and the catalogue's dimension, and has the payload
 * indexes recsys needs (`tag_labels`, `tag_values` keyword; `locations` geo). An existing collection with
 * another dimension or distance is an error, never silently used.
 * @param client - the Qdrant client
 * @param collection - the collection name
 * @param dimension - the vector dimension
 * @throws ConfigError naming QDRANT_COLLECTION on a dimension or distance mismatch
 */
export async function ensureCollection(
  client: QdrantClient,
  collection: string,
  dimension: number,
): Promise<EnsureResult> {
  const { exists } = await guarded("collectionExists", () => client.collectionExists(collection));
  let created = false;
  if (!exists) {
    await guarded("createCollection", () =>
      client.createCollection(collection, { vectors: { size: dimension, distance: "Cosine" } }),
    );
    created = true;
  }
  const info = await guarded("getCollection", () => client.getCollection(collection));
  const params = vectorParams(info);
  if (!params || params.size !== dimension || params.distance !== "Cosine") {
    throw new ConfigError(
      "QDRANT_COLLECTION",
      `collection ${collection} has vectors of size ${params?.size ?? "?"} with ${params?.distance ?? "?"} distance; the catalogue needs size ${dimension} with Cosine`,
    );
  }
  const existing = info.payload_schema ?? {};
  const indexesCreated: string[] = [];
  for (const { field, schema } of PAYLOAD_INDEXES) {
    if (existing[field]) continue;
    await guarded("createPayloadIndex", () =>
      client.createPayloadIndex(collection, { field_name: field, field_schema: schema, wait: true }),
    );
    indexesCreated.push(field);
  }
  return { created, indexesCreated };
}

/** A catalogue point to import (docs/behaviour.md §7.2). */
export interface ImportPoint {
  readonly id: string;
  readonly vector: ArrayLike<number>;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * The payload stored in Qdrant: the given payload plus the normalised `tag_labels` (tag keys) and
 * `tag_values` (tag labels) the queries match on, `locations` for the geo index, and the item's own id in
 * `recsys_id` when its point id is a derived UUID.
 * @param point - the catalogue point
 */
export function qdrantPayload(point: ImportPoint): Record<string, unknown> {
  const content = contentFromPayload(point.id, point.payload);
  const payload: Record<string, unknown> = { ...point.payload };
  payload.tag_labels = [...new Set(content.tags.map((t) => normalizeKey(`${t.facet}:${t.label}`)))];
  payload.tag_values = [...new Set(content.tags.map((t) => normalizeFilterValue(t.label)))];
  if (content.lat !== null && content.lon !== null)
    payload.locations = [{ lat: content.lat, lon: content.lon }];
  if (!isNativePointId(point.id)) payload[ITEM_ID_FIELD] = point.id;
  return payload;
}

/** Options of {@link importCatalog}. */
export interface ImportOptions {
  /** Points per upsert request (default 256). */
  readonly batchSize?: number;
  /** Called after every batch with the number of points written so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Upsert a catalogue into a collection (created with its indexes if missing), in batches. Idempotent: the
 * same catalogue imported twice leaves the same points.
 * @param client - the Qdrant client
 * @param collection - the collection name
 * @param points - the catalogue
 * @param options - batch size, progress callback
 * @returns how many points were written
 */
export async function importCatalog(
  client: QdrantClient,
  collection: string,
  points: readonly ImportPoint[],
  options: ImportOptions = {},
): Promise<number> {
  if (points.length === 0) return 0;
  const dimension = points[0]!.vector.length;
  const structs: Schemas["PointStruct"][] = points.map((point, index) => {
    if (point.vector.length !== dimension) {
      throw new ConfigError(
        "catalog",
        `point ${index} (${point.id}) has ${point.vector.length} dimensions, the first point ${dimension}`,
      );
    }
    return { id: toPointId(point.id), vector: Array.from(point.vector), payload: qdrantPayload(point) };
  });
  await ensureCollection(client, collection, dimension);
  const size = options.batchSize ?? 256;
  let done = 0;
  for (let start = 0; start < structs.length; start += size) {
    const batch = structs.slice(start, start + size);
    await guarded("upsert", () => client.upsert(collection, { wait: true, points: batch }));
    done += batch.length;
    options.onProgress?.(done, structs.length);
  }
  return done;
}
