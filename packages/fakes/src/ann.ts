import { createRequire } from "node:module";
import { InvalidArgumentError, LOW_PRECISION_BEAM } from "@recsys/ports";

/** From how many items with vectors the embedded store searches an approximate index (its default). */
export const ANN_THRESHOLD = 50_000;

/** An approximate nearest-neighbour index over some rows of a matrix of unit vectors. */
export interface AnnIndex {
  /** The library and settings, for logs and diagnostics. */
  readonly description: string;
  /**
   * The rows nearest to a unit query by inner product, best first (approximately).
   * @param query - the unit query
   * @param k - how many
   */
  search(query: Float32Array, k: number): number[];
}

/** The part of usearch's API used here. */
interface Usearch {
  Index: new (config: {
    dimensions: number;
    metric: string;
    quantization: string;
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
  }) => {
    add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
    search(query: Float32Array, k: number, threads: number): { keys: BigUint64Array };
    save(path: string): void;
    view(path: string): void;
    size(): number;
    dimensions(): number;
  };
}

let usearch: Usearch | null | undefined;

/** usearch, when it is installed (an optional dependency with prebuilt binaries), else null. */
function loadUsearch(): Usearch | null {
  if (usearch === undefined) {
    try {
      usearch = createRequire(import.meta.url)("usearch") as Usearch;
    } catch {
      usearch = null;
    }
  }
  return usearch;
}

/** The index's settings, for logs and diagnostics (and a saved index's `catalog.json`). */
export const ANN_DESCRIPTION = `usearch HNSW (i8, M 16, ef ${LOW_PRECISION_BEAM})`;

type UsearchIndex = InstanceType<Usearch["Index"]>;

function newIndex(library: Usearch, d: number): UsearchIndex {
  return new library.Index({
    dimensions: d,
    metric: "ip",
    quantization: "i8",
    connectivity: 16,
    expansion_add: 128,
    // The beam of a search is the larger of this and k: a high-precision query asks for 320+ candidates (its
    // beam is those), so this narrow default is felt only by low-precision queries that ask for a few.
    // Searching is a matter of the settings here, not of the saved index.
    expansion_search: LOW_PRECISION_BEAM,
  });
}

function asAnnIndex(index: UsearchIndex, rows: number): AnnIndex {
  return {
    description: ANN_DESCRIPTION,
    search: (query, k) => Array.from(index.search(query, Math.min(k, rows), 1).keys, Number),
  };
}

function built(library: Usearch, data: Float32Array, rows: readonly number[], d: number): UsearchIndex {
  const index = newIndex(library, d);
  // Added in batches of contiguous rows (every thread the library wants).
  const keys = BigUint64Array.from(rows, (row) => BigInt(row));
  const contiguous = rows.every((row, i) => row === i);
  index.add(keys, contiguous ? data.subarray(0, rows.length * d) : gather(data, rows, d), 0);
  return index;
}

/**
 * An HNSW index of usearch (docs/behaviour.md §7.2) over the rows that have a vector: inner product on
 * unit vectors, 8-bit quantised (a quarter of the vectors' bytes; candidates are re-scored exactly by
 * the caller), connectivity 16, expansion 128 when adding and 64 when searching (the beam widens to k when
 * k is larger). With `file` (an index saved by {@link saveAnnIndex} for these rows, as `recsys catalog pack`
 * writes it) the saved index is memory-mapped instead of built: it loads in a moment and every process that
 * maps it answers alike. Null when usearch cannot be loaded (the caller stays exact).
 * @param data - row-major unit vectors (asked for only when the index is built)
 * @param rows - the rows to index
 * @param d - the dimension
 * @param file - a saved index of exactly these rows, or undefined to build one
 * @throws InvalidArgumentError when the saved index does not match the rows or the dimension
 */
export function buildAnnIndex(
  data: () => Float32Array,
  rows: readonly number[],
  d: number,
  file?: string,
): AnnIndex | null {
  const library = loadUsearch();
  if (!library || rows.length === 0) return null;
  if (file === undefined) return asAnnIndex(built(library, data(), rows, d), rows.length);
  const index = newIndex(library, d);
  try {
    index.view(file);
  } catch (error) {
    throw new InvalidArgumentError(
      `${file}: cannot read the saved index (${(error as Error).message})`,
      file,
    );
  }
  if (index.size() !== rows.length || index.dimensions() !== d)
    throw new InvalidArgumentError(
      `${file}: a saved index of ${index.size()} × ${index.dimensions()}, the catalogue has ${rows.length} × ${d}`,
      file,
    );
  return asAnnIndex(index, rows.length);
}

/**
 * Build the index {@link buildAnnIndex} would build over these rows and save it to `file`.
 * @param data - row-major unit vectors
 * @param rows - the rows to index
 * @param d - the dimension
 * @param file - where to write it
 * @returns whether it was written (false when usearch cannot be loaded)
 */
export function saveAnnIndex(data: Float32Array, rows: readonly number[], d: number, file: string): boolean {
  const library = loadUsearch();
  if (!library || rows.length === 0) return false;
  built(library, data, rows, d).save(file);
  return true;
}

function gather(data: Float32Array, rows: readonly number[], d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((row, i) => {
    out.set(data.subarray(row * d, (row + 1) * d), i * d);
  });
  return out;
}
