import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Schemas } from "@qdrant/js-client-rest";

/**
 * A loopback HTTP server that speaks the part of Qdrant's REST protocol recsys uses, with request and
 * response bodies typed by the client package's own generated OpenAPI types (`Schemas`), so a shape the
 * real Qdrant would not accept fails to compile here. Semantics follow Qdrant's documentation: cosine
 * collections store unit vectors and score by dot product; filters support `must`, `should`, `must_not`
 * (a single condition or a list), `match.value`, `match.any` (on scalar or array payload fields), `has_id`,
 * `geo_radius` and nested filters; a query without `query` returns points by id; `{sample: "random"}`
 * samples uniformly.
 */

type Json = Record<string, unknown>;
type PointId = Schemas["ExtendedPointId"];

interface StoredPoint {
  readonly id: PointId;
  vector: number[];
  payload: Json;
}

interface Collection {
  readonly size: number;
  readonly distance: Schemas["Distance"];
  readonly points: Map<string, StoredPoint>;
  readonly payloadSchema: Record<string, Schemas["PayloadIndexInfo"]>;
}

/** A request the protocol server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** The running protocol server. */
export interface QdrantProtocolServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Answer the next `count` requests with this HTTP status (a server error, say). */
  failNext(status: number, count?: number): void;
  /** Delay every answer by this many milliseconds (0 to stop). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A point id as Qdrant reads it: an unsigned integer, or a UUID (any case, stored lower-case, hyphenated). */
function pointId(id: unknown): PointId {
  if (typeof id === "number" && Number.isInteger(id) && id >= 0) return id;
  if (typeof id === "string" && UUID.test(id)) {
    const hex = id.replace(/-/g, "").toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  throw new HttpFailure(
    400,
    `Format error in JSON body: value ${String(id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

const key = (id: PointId) => {
  const valid = pointId(id);
  return typeof valid === "number" ? `n:${valid}` : `s:${valid}`;
};

function compareIds(a: PointId, b: PointId): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function unit(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, x) => s + x * x, 0));
  return norm > 0 ? vector.map((x) => x / norm) : [...vector];
}

function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((lat2 - lat1) * r) / 2) ** 2 +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

function valuesAt(payload: Json, path: string): unknown[] {
  let nodes: unknown[] = [payload];
  for (const part of path.split(".")) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (node && typeof node === "object" && !Array.isArray(node) && part in (node as Json)) {
        const value = (node as Json)[part];
        if (Array.isArray(value)) next.push(...value);
        else next.push(value);
      }
    }
    nodes = next;
  }
  return nodes;
}

function asList<T>(value: T | T[] | null | undefined | Record<string, unknown>): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value as T];
}

function matchCondition(point: StoredPoint, condition: Schemas["Condition"]): boolean {
  const c = condition as Json;
  if ("has_id" in c) return (c.has_id as PointId[]).some((id) => key(id) === key(point.id));
  if ("must" in c || "should" in c || "must_not" in c) return matchFilter(point, c as Schemas["Filter"]);
  if ("filter" in c) return matchFilter(point, c.filter as Schemas["Filter"]);
  const field = c as Schemas["FieldCondition"];
  const values = valuesAt(point.payload, field.key);
  if (field.match) {
    const match = field.match as Json;
    if ("value" in match) return values.some((v) => v === match.value);
    if ("any" in match) return values.some((v) => (match.any as unknown[]).includes(v));
    if ("except" in match) return !values.some((v) => (match.except as unknown[]).includes(v));
    throw new HttpFailure(400, `unsupported match ${JSON.stringify(match)}`);
  }
  if (field.geo_radius) {
    const { center, radius } = field.geo_radius as Schemas["GeoRadius"];
    return values.some((v) => {
      const g = v as { lat?: unknown; lon?: unknown };
      return (
        typeof g?.lat === "number" &&
        typeof g?.lon === "number" &&
        haversine(center.lat, center.lon, g.lat, g.lon) <= radius
      );
    });
  }
  throw new HttpFailure(400, `unsupported condition ${JSON.stringify(condition)}`);
}

function matchFilter(point: StoredPoint, filter: Schemas["Filter"] | null | undefined): boolean {
  if (!filter) return true;
  const must = asList<Schemas["Condition"]>(filter.must);
  const should = asList<Schemas["Condition"]>(filter.should);
  const mustNot = asList<Schemas["Condition"]>(filter.must_not);
  if (!must.every((c) => matchCondition(point, c))) return false;
  if (should.length > 0 && !should.some((c) => matchCondition(point, c))) return false;
  return !mustNot.some((c) => matchCondition(point, c));
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function selectPayload(
  point: StoredPoint,
  withPayload: Schemas["WithPayloadInterface"] | null | undefined,
): Json | null {
  if (!withPayload) return null;
  if (withPayload === true) return structuredClone(point.payload);
  if (Array.isArray(withPayload))
    return Object.fromEntries(
      withPayload.filter((f) => f in point.payload).map((f) => [f, structuredClone(point.payload[f])]),
    );
  return structuredClone(point.payload);
}

function selectVector(
  point: StoredPoint,
  withVector: Schemas["WithVector"] | null | undefined,
): Schemas["VectorStructOutput"] | null {
  if (!withVector) return null;
  return [...point.vector];
}

function runQuery(
  collection: Collection,
  request: Schemas["QueryRequest"],
  random: () => number,
): Schemas["QueryResponse"] {
  const limit = request.limit ?? 10;
  const candidates = [...collection.points.values()].filter((p) =>
    matchFilter(p, request.filter as Schemas["Filter"] | null),
  );
  const query = request.query as unknown;
  let scored: { point: StoredPoint; score: number }[];
  if (query === undefined || query === null) {
    scored = candidates.sort((a, b) => compareIds(a.id, b.id)).map((point) => ({ point, score: 0 }));
  } else if (Array.isArray(query)) {
    if (query.length !== collection.size)
      throw new HttpFailure(
        400,
        `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${query.length}`,
      );
    const q = unit(query as number[]);
    scored = candidates
      .map((point) => ({ point, score: point.vector.reduce((s, x, i) => s + x * q[i]!, 0) }))
      .sort((a, b) => b.score - a.score || compareIds(a.point.id, b.point.id));
  } else if (typeof query === "object" && (query as Json).sample === "random") {
    const pool = [...candidates];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    scored = pool.map((point) => ({ point, score: 0 }));
  } else {
    throw new HttpFailure(400, `unsupported query ${JSON.stringify(query)}`);
  }
  const points: Schemas["ScoredPoint"][] = scored
    .slice(request.offset ?? 0, (request.offset ?? 0) + limit)
    .map(({ point, score }) => {
      const payload = selectPayload(point, request.with_payload as Schemas["WithPayloadInterface"]);
      const vector = selectVector(point, request.with_vector as Schemas["WithVector"]);
      return {
        id: point.id,
        version: 1,
        score,
        ...(payload ? { payload } : {}),
        ...(vector ? { vector } : {}),
      };
    });
  return { points };
}

function collectionInfo(collection: Collection): Schemas["CollectionInfo"] {
  return {
    status: "green",
    optimizer_status: "ok",
    segments_count: 1,
    points_count: collection.points.size,
    indexed_vectors_count: collection.points.size,
    config: {
      params: {
        vectors: { size: collection.size, distance: collection.distance },
        shard_number: 1,
        replication_factor: 1,
        write_consistency_factor: 1,
        on_disk_payload: true,
      },
      hnsw_config: {
        m: 16,
        ef_construct: 100,
        full_scan_threshold: 10000,
        max_indexing_threads: 0,
        on_disk: false,
      },
      optimizer_config: {
        deleted_threshold: 0.2,
        vacuum_min_vector_number: 1000,
        default_segment_number: 0,
        max_segment_size: null,
        memmap_threshold: null,
        indexing_threshold: 20000,
        flush_interval_sec: 5,
        max_optimization_threads: null,
      },
      wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
    },
    payload_schema: structuredClone(collection.payloadSchema),
  } as Schemas["CollectionInfo"];
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpFailure(400, "Format error in JSON body");
  }
}

/** Options of {@link startQdrantProtocolServer}. */
export interface ProtocolServerOptions {
  /** Randomness of `{sample: "random"}` (default `Math.random`). */
  readonly random?: () => number;
}

/**
 * Start the protocol server on a free loopback port.
 * @param options - randomness
 */
export async function startQdrantProtocolServer(
  options: ProtocolServerOptions = {},
): Promise<QdrantProtocolServer> {
  const random = options.random ?? Math.random;
  const collections = new Map<string, Collection>();
  const requests: RecordedRequest[] = [];
  let failures: { status: number; count: number } | null = null;
  let delay = 0;

  const started = performance.now();
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ok = <T>(res: ServerResponse, result: T) =>
    send(res, 200, { result, status: "ok", time: (performance.now() - started) / 1e6 });
  const need = (name: string): Collection => {
    const collection = collections.get(name);
    if (!collection) throw new HttpFailure(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const body = await readBody(req);
    requests.push({ method: req.method ?? "GET", path: url.pathname, body });
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (failures && failures.count > 0) {
      failures.count -= 1;
      send(res, failures.status, { status: { error: "Service internal error: injected failure" }, time: 0 });
      return;
    }
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const [root, name, sub, action, extra] = parts;
    const route = `${req.method} ${[root, name ? ":name" : "", sub ?? "", action ?? "", extra ?? ""].filter(Boolean).join("/")}`;
    switch (route) {
      case "GET collections": {
        const result: Schemas["CollectionsResponse"] = {
          collections: [...collections.keys()].map((n) => ({ name: n })),
        };
        return ok(res, result);
      }
      case "GET collections/:name/exists": {
        const result: Schemas["CollectionExistence"] = { exists: collections.has(name!) };
        return ok(res, result);
      }
      case "GET collections/:name":
        return ok(res, collectionInfo(need(name!)));
      case "PUT collections/:name": {
        const create = body as Schemas["CreateCollection"];
        if (collections.has(name!))
          throw new HttpFailure(409, `Wrong input: Collection \`${name}\` already exists!`);
        const vectors = create?.vectors as Schemas["VectorParams"] | undefined;
        if (!vectors || typeof vectors.size !== "number" || !vectors.distance)
          throw new HttpFailure(400, "Format error in JSON body: missing vectors");
        collections.set(name!, {
          size: vectors.size,
          distance: vectors.distance,
          points: new Map(),
          payloadSchema: {},
        });
        return ok(res, true);
      }
      case "DELETE collections/:name":
        return ok(res, collections.delete(name!));
      case "PUT collections/:name/index": {
        const collection = need(name!);
        const index = body as Schemas["CreateFieldIndex"];
        const schema = index.field_schema as string;
        if (!["keyword", "geo", "integer", "float", "bool", "datetime", "text", "uuid"].includes(schema)) {
          throw new HttpFailure(400, `unsupported field_schema ${JSON.stringify(index.field_schema)}`);
        }
        collection.payloadSchema[index.field_name] = {
          data_type: schema as Schemas["PayloadSchemaType"],
          points: collection.points.size,
        };
        const result: Schemas["UpdateResult"] = { operation_id: requests.length, status: "completed" };
        return ok(res, result);
      }
      case "PUT collections/:name/points": {
        const collection = need(name!);
        const list = body as Schemas["PointsList"];
        if (!Array.isArray(list?.points))
          throw new HttpFailure(400, "Format error in JSON body: expected points");
        for (const point of list.points) {
          const vector = point.vector as unknown;
          if (!Array.isArray(vector) || vector.length !== collection.size) {
            throw new HttpFailure(
              400,
              `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${Array.isArray(vector) ? vector.length : "?"}`,
            );
          }
          const stored =
            collection.distance === "Cosine" ? unit(vector as number[]) : [...(vector as number[])];
          collection.points.set(key(point.id), {
            id: pointId(point.id),
            vector: stored,
            payload: structuredClone((point.payload ?? {}) as Json),
          });
        }
        const result: Schemas["UpdateResult"] = { operation_id: requests.length, status: "completed" };
        return ok(res, result);
      }
      case "POST collections/:name/points": {
        const collection = need(name!);
        const request = body as Schemas["PointRequest"];
        const records: Schemas["Record"][] = request.ids.flatMap((id) => {
          const point = collection.points.get(key(id));
          if (!point) return [];
          const payload = selectPayload(point, request.with_payload as Schemas["WithPayloadInterface"]);
          const vector = selectVector(point, request.with_vector);
          return [{ id: point.id, ...(payload ? { payload } : {}), ...(vector ? { vector } : {}) }];
        });
        return ok(res, records);
      }
      case "POST collections/:name/points/query": {
        const result: Schemas["QueryResponse"] = runQuery(
          need(name!),
          body as Schemas["QueryRequest"],
          random,
        );
        return ok(res, result);
      }
      case "POST collections/:name/points/query/batch": {
        const collection = need(name!);
        const batch = body as Schemas["QueryRequestBatch"];
        if (!Array.isArray(batch?.searches))
          throw new HttpFailure(400, "Format error in JSON body: expected searches");
        const result: Schemas["QueryResponse"][] = batch.searches.map((search) =>
          runQuery(collection, search, random),
        );
        return ok(res, result);
      }
      default:
        throw new HttpFailure(404, `no route ${req.method} ${url.pathname}`);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpFailure ? error.status : 500;
      send(res, status, {
        status: { error: error instanceof Error ? error.message : String(error) },
        time: 0,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (status, count = 1) => {
      failures = { status, count };
    },
    setDelay: (ms) => {
      delay = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
