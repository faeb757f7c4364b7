import { createReadStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { norm, normalizeInto } from "@recsys/core/scoring";
import { contentFromPayload, InvalidArgumentError } from "@recsys/ports";
import { ANN_DESCRIPTION, ANN_THRESHOLD, saveAnnIndex } from "./ann.js";
import type { CatalogPoint } from "./catalog.js";
import {
  InMemoryContentStore,
  type InMemoryContentStoreOptions,
  tagSharer,
} from "./in-memory-content-store.js";
import { checkVectorBytes } from "./vector-file.js";

/** The format name in a packed catalogue's `catalog.json`. */
export const PACKED_CATALOG_FORMAT = "recsys-catalog/1";

/** The file name of a packed catalogue's saved approximate index. */
const ANN_INDEX_FILE = "index.usearch";

/** A packed catalogue's `catalog.json`. */
interface PackedMeta {
  readonly format: string;
  readonly count: number;
  readonly dimension: number;
  /** The saved approximate index, when one was written: its file, settings and number of rows. */
  readonly ann?: { readonly file: string; readonly index: string; readonly rows: number };
}

/** Options of {@link writePackedCatalog}. */
export interface PackOptions {
  /**
   * Save the approximate index beside the vectors (`index.usearch`, when usearch is installed); default:
   * from as many items as the embedded store's default `annThreshold` (50,000).
   */
  readonly annIndex?: boolean;
}

/**
 * Whether a path is a packed catalogue: a directory with a `catalog.json`.
 * @param path - a file or directory
 */
export async function isPackedCatalog(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory() && (await stat(join(path, "catalog.json"))).isFile();
  } catch {
    return false;
  }
}

/**
 * Write a catalogue in the packed form (docs/behaviour.md §7.2): a directory with `catalog.json`
 * (`{"format": "recsys-catalog/1", "count", "dimension"}`), `vectors.f32` (every vector, row after row,
 * little-endian float32) and `items.jsonl` (`{"id", "payload"}` per line, in the same order), and with
 * `annIndex` (default: from 50,000 items) the approximate index the embedded store would build,
 * `index.usearch`, named in `catalog.json` as `"ann"`. It loads without parsing a number of JSON per vector
 * component.
 * @param points - the catalogue (every vector of one dimension)
 * @param dir - the directory (created)
 * @throws InvalidArgumentError when the vectors' dimensions differ
 */
export async function writePackedCatalog(
  points: readonly CatalogPoint[],
  dir: string,
  options: PackOptions = {},
): Promise<{ count: number; dimension: number; annIndex: string | null }> {
  const dimension = points[0]?.vector.length ?? 0;
  const vectors = new Float32Array(points.length * dimension);
  const lines: string[] = [];
  points.forEach((point, index) => {
    if (point.vector.length !== dimension)
      throw new InvalidArgumentError(
        `item ${point.id} has a ${point.vector.length}-dimension vector, the catalogue ${dimension}`,
        "vector",
      );
    vectors.set(point.vector, index * dimension);
    lines.push(JSON.stringify({ id: point.id, payload: point.payload }));
  });
  await mkdir(dir, { recursive: true });
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  // Little-endian on disk, whatever the machine (every platform Node runs on here is little-endian).
  await writeFile(join(dir, "vectors.f32"), bytes);
  await writeFile(join(dir, "items.jsonl"), lines.length > 0 ? `${lines.join("\n")}\n` : "");
  // The approximate index the embedded store would build over these vectors (unit length, every row),
  // saved beside them: the store maps it instead of building it at every start.
  let ann: PackedMeta["ann"];
  if (dimension > 0 && (options.annIndex ?? points.length >= ANN_THRESHOLD)) {
    const units = new Float32Array(vectors.length);
    for (let row = 0; row < points.length; row++) {
      const vector = vectors.subarray(row * dimension, (row + 1) * dimension);
      normalizeInto(vector, units, row * dimension, norm(vector));
    }
    const rows = Array.from({ length: points.length }, (_, row) => row);
    if (saveAnnIndex(units, rows, dimension, join(dir, ANN_INDEX_FILE)))
      ann = { file: ANN_INDEX_FILE, index: ANN_DESCRIPTION, rows: points.length };
  }
  if (!ann) await rm(join(dir, ANN_INDEX_FILE), { force: true });
  const meta: PackedMeta = {
    format: PACKED_CATALOG_FORMAT,
    count: points.length,
    dimension,
    ...(ann ? { ann } : {}),
  };
  await writeFile(join(dir, "catalog.json"), `${JSON.stringify(meta)}\n`);
  return { count: points.length, dimension, annIndex: ann ? join(dir, ANN_INDEX_FILE) : null };
}

/** Read and check a packed catalogue's `catalog.json`. */
async function readMeta(dir: string): Promise<PackedMeta> {
  const file = join(dir, "catalog.json");
  let meta: PackedMeta;
  try {
    meta = JSON.parse(await readFile(file, "utf8")) as PackedMeta;
  } catch (error) {
    throw new InvalidArgumentError(`${file}: ${(error as Error).message}`, file);
  }
  if (
    meta.format !== PACKED_CATALOG_FORMAT ||
    !Number.isInteger(meta.count) ||
    !Number.isInteger(meta.dimension)
  )
    throw new InvalidArgumentError(
      `${file}: expected {"format": "${PACKED_CATALOG_FORMAT}", "count", "dimension"}`,
      file,
    );
  return meta;
}

/** A packed catalogue's saved approximate index, from its `catalog.json`, or null. */
const annIndexOf = (dir: string, meta: PackedMeta) =>
  typeof meta.ann?.file === "string" ? join(dir, meta.ann.file) : null;

/**
 * Read a packed catalogue (see {@link writePackedCatalog}); the points' vectors are views into one buffer.
 * @param dir - the directory
 * @throws InvalidArgumentError naming the file and what is wrong
 */
export async function readPackedCatalog(dir: string): Promise<CatalogPoint[]> {
  return (await readPackedCatalogWithIndex(dir)).points;
}

/**
 * Read a packed catalogue and the path of its saved approximate index (null when it has none), with one
 * read of its `catalog.json`.
 * @param dir - the directory
 * @throws InvalidArgumentError naming the file and what is wrong
 */
export async function readPackedCatalogWithIndex(
  dir: string,
): Promise<{ points: CatalogPoint[]; annIndexFile: string | null }> {
  const where = (file: string) => join(dir, file);
  const meta = await readMeta(dir);
  const raw = await readFile(where("vectors.f32"));
  checkVectorBytes(where("vectors.f32"), raw.byteLength, meta.count, meta.dimension);
  // One aligned buffer for every vector (a Buffer read from a file may share a pool at an odd offset).
  const vectors =
    raw.byteOffset % 4 === 0
      ? new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4)
      : new Float32Array(new Uint8Array(raw).buffer);
  const points = await readPackedItems(dir, meta, (id, payload, index) => {
    const start = index * meta.dimension;
    return { id, vector: vectors.subarray(start, start + meta.dimension), payload };
  });
  return { points, annIndexFile: annIndexOf(dir, meta) };
}

/**
 * An {@link InMemoryContentStore} over a packed catalogue whose vectors stay in its `vectors.f32`
 * (`InMemoryContentStoreOptions.vectorFile`): with the approximate search (from `annThreshold` items) and
 * the saved index, the vectors are neither read at start nor held, only the rows each request needs; below
 * it the file is read once into the exact scan's matrix, as {@link readPackedCatalog} would.
 * @param dir - the directory
 * @param options - the store's options (its `annIndexFile` defaults to the catalogue's saved index)
 * @throws InvalidArgumentError naming the file and what is wrong
 */
export async function openPackedContentStore(
  dir: string,
  options: Omit<InMemoryContentStoreOptions, "vectorFile"> = {},
): Promise<InMemoryContentStore> {
  const meta = await readMeta(dir);
  const share = tagSharer();
  const contents = await readPackedItems(dir, meta, (id, payload) => share(contentFromPayload(id, payload)));
  const annIndexFile = options.annIndexFile ?? annIndexOf(dir, meta);
  return new InMemoryContentStore(contents, undefined, {
    ...options,
    ...(annIndexFile ? { annIndexFile } : {}),
    ...(meta.dimension > 0
      ? { vectorFile: { path: join(dir, "vectors.f32"), dimension: meta.dimension } }
      : {}),
  });
}

/**
 * The `{id, payload}` lines of a packed catalogue's `items.jsonl`, checked against its `catalog.json`, each
 * made into what the caller keeps as it is read (a large catalogue's payloads are never all held at once,
 * nor is the file: it is streamed a line at a time).
 */
async function readPackedItems<T>(
  dir: string,
  meta: PackedMeta,
  make: (id: string, payload: Record<string, unknown>, index: number) => T,
): Promise<T[]> {
  const file = join(dir, "items.jsonl");
  const out: T[] = [];
  let line = 0;
  const input = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  const refuse = (message: string) => {
    input.destroy();
    return new InvalidArgumentError(`${file}:${line}: ${message}`, file);
  };
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (text === "") continue;
    line += 1;
    let item: { id?: unknown; payload?: unknown };
    try {
      item = JSON.parse(text) as { id?: unknown; payload?: unknown };
    } catch (error) {
      throw refuse((error as Error).message);
    }
    if (typeof item.id !== "string" || item.id === "") throw refuse('"id" must be a non-empty string');
    if (line <= meta.count)
      out.push(make(item.id, (item.payload ?? {}) as Record<string, unknown>, line - 1));
  }
  if (line !== meta.count)
    throw new InvalidArgumentError(`${file}: ${line} items, catalog.json says ${meta.count}`, file);
  return out;
}
