import { createRequire } from "node:module";

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

/**
 * An HNSW index of usearch (docs/behaviour.md §7.2) over the rows that have a vector: inner product on
 * unit vectors, 8-bit quantised (a quarter of the vectors' bytes; candidates are re-scored exactly by
 * the caller), connectivity 16, expansion 128 when adding and 256 when searching. Null when usearch cannot
 * be loaded (the caller stays exact).
 * @param data - row-major unit vectors
 * @param rows - the rows to index
 * @param d - the dimension
 */
export function buildAnnIndex(data: Float32Array, rows: readonly number[], d: number): AnnIndex | null {
  const library = loadUsearch();
  if (!library || rows.length === 0) return null;
  const index = new library.Index({
    dimensions: d,
    metric: "ip",
    quantization: "i8",
    connectivity: 16,
    expansion_add: 128,
    expansion_search: 256,
  });
  // Added in batches of contiguous rows (every thread the library wants).
  const keys = BigUint64Array.from(rows, (row) => BigInt(row));
  const contiguous = rows.every((row, i) => row === i);
  index.add(keys, contiguous ? data.subarray(0, rows.length * d) : gather(data, rows, d), 0);
  return {
    description: "usearch HNSW (i8, M 16, ef 256)",
    search: (query, k) => Array.from(index.search(query, Math.min(k, rows.length), 1).keys, Number),
  };
}

function gather(data: Float32Array, rows: readonly number[], d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((row, i) => {
    out.set(data.subarray(row * d, (row + 1) * d), i * d);
  });
  return out;
}
