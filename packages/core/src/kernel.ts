import { KERNEL_WASM_BASE64 } from "./kernel-wasm.js";
import { onceForFrozen } from "./memo.js";

/**
 * The dot product of `query` with every row of a row-major matrix, in JavaScript: products and sums in
 * float64, element j summed into lane j mod 4, the lanes combined as (l0 + l1) + (l2 + l3) — the same
 * order as the WebAssembly kernel, so both give the same bits (docs/behaviour.md §7.2).
 * @param query - the query, `d` values
 * @param matrix - `rows × d` values, row-major
 * @param rows - the number of rows
 * @param d - the dimension
 * @param out - where to write (default: a new array)
 */
export function dotRowsJs(
  query: ArrayLike<number>,
  matrix: ArrayLike<number>,
  rows: number,
  d: number,
  out: Float64Array = new Float64Array(rows),
): Float64Array {
  for (let r = 0; r < rows; r++) out[r] = dotAtJs(query, 0, matrix, r * d, d);
  return out;
}

/**
 * One product of {@link dotRowsJs}: `d` values of `query` from index `q` with `d` values of `matrix` from
 * index `m`, summed in its order.
 */
function dotAtJs(
  query: ArrayLike<number>,
  q: number,
  matrix: ArrayLike<number>,
  m: number,
  d: number,
): number {
  const whole = d - (d % 4);
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  let l3 = 0;
  let j = 0;
  for (; j < whole; j += 4) {
    l0 += query[q + j]! * matrix[m + j]!;
    l1 += query[q + j + 1]! * matrix[m + j + 1]!;
    l2 += query[q + j + 2]! * matrix[m + j + 2]!;
    l3 += query[q + j + 3]! * matrix[m + j + 3]!;
  }
  for (; j < d; j++) l0 += query[q + j]! * matrix[m + j]!;
  return l0 + l1 + (l2 + l3);
}

/** The part of the WebAssembly API the kernel uses (core is built without DOM or Node types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Memory: new (descriptor: { initial: number }) => WasmMemory;
  readonly Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
}

/** A WebAssembly memory, as the kernel uses it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const runtime = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (text: string) => string };

/** The compiled kernel, or null where WebAssembly (with SIMD) is not available. */
let compiled: { readonly api: WasmApi; readonly module: object } | null | undefined;

function kernelModule(): { readonly api: WasmApi; readonly module: object } | null {
  if (compiled === undefined) {
    const api = runtime.WebAssembly;
    try {
      if (!api || !runtime.atob) throw new Error("no WebAssembly");
      const bytes = Uint8Array.from(runtime.atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
      compiled = { api, module: new api.Module(bytes) };
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65_536;
const align = (bytes: number, to: number) => Math.ceil(bytes / to) * to;

/**
 * The kernel's export: dot products of the float64 query at `q` with `rows` float32 rows at `m`, written
 * (float64) at `out`.
 */
type DotRows = (q: number, m: number, rows: number, d: number, out: number) => void;

/** Where the kernel reads and writes in its memory: the query (float64), the matrix, the scores, 16-byte aligned. */
function layout(rows: number, d: number): { matrixAt: number; outAt: number; bytes: number } {
  const matrixAt = align(d * 8, 16);
  const outAt = align(matrixAt + rows * d * 4, 16);
  return { matrixAt, outAt, bytes: outAt + rows * 8 };
}

/** Frozen plain-array queries as float64 arrays, by query (see {@link asTyped}). */
const typedQueries = new WeakMap<object, Float64Array>();

/**
 * A query ready to be copied into the kernel's memory. A frozen plain array (a stored model's taste or
 * recency vector, which V8 keeps as boxed numbers) is copied into a `Float64Array` once per array (the same
 * values): copying 384 boxed numbers into the kernel's memory took ~10 µs a call, a typed copy ~0.05–0.4 µs.
 * @param query - the query
 */
function asTyped(query: ArrayLike<number>): ArrayLike<number> {
  if (ArrayBuffer.isView(query) || !Object.isFrozen(query)) return query;
  return onceForFrozen(typedQueries, query, () => Float64Array.from(query));
}

/**
 * A kernel instance over a memory of its own, with its views of that memory made once (and again after
 * it grows) rather than at every call; shared by {@link DotMatrix} and {@link BatchDots}.
 */
class KernelMemory {
  readonly memory: WasmMemory;
  readonly #dotRows: DotRows;
  #doubles: Float64Array;

  /**
   * @param wasm - the compiled kernel
   * @param bytes - the memory's size at least
   */
  constructor(wasm: { readonly api: WasmApi; readonly module: object }, bytes: number) {
    this.memory = new wasm.api.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const instance = new wasm.api.Instance(wasm.module, { env: { memory: this.memory } });
    this.#dotRows = instance.exports.dotRows as DotRows;
    this.#doubles = new Float64Array(this.memory.buffer);
  }

  /** Grow to at least `bytes` (views made before into the memory are detached). */
  grow(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil(bytes / PAGE) - have / PAGE);
    this.#doubles = new Float64Array(this.memory.buffer);
  }

  /**
   * Copy `d` float32 values at byte `from` to float64 values at byte `to` (widened exactly), growing the
   * memory as needed.
   */
  widen(from: number, to: number, d: number): void {
    this.grow(to + d * 8);
    this.#doubles.set(new Float32Array(this.memory.buffer, from, d), to / 8);
  }

  /** One row's dot product: the float64 query at byte `q` with the float32 row at byte `m`. */
  dotAt(q: number, m: number, d: number, out: number): number {
    this.#dotRows(q, m, 1, d, out);
    return this.#doubles[out / 8]!;
  }

  /** One kernel call: the query written at 0, the scores read back (into `out`, else a new array). */
  scan(query: ArrayLike<number>, rows: number, d: number, out?: Float64Array): Float64Array {
    const { matrixAt, outAt } = layout(rows, d);
    this.#doubles.set(asTyped(query), 0);
    this.#dotRows(0, matrixAt, rows, d, outAt);
    const scores = this.#doubles.subarray(outAt / 8, outAt / 8 + rows);
    if (!out) return scores.slice();
    out.set(scores);
    return out;
  }
}

/** Which kernel a {@link DotMatrix} runs. */
export type KernelKind = "wasm" | "js";

/**
 * A matrix of float32 row vectors laid out where the exact-scan kernel reads them: in WebAssembly memory,
 * scanned with SIMD (float64 products and sums, see {@link dotRowsJs}), when the runtime has WebAssembly
 * SIMD and the dimension is a multiple of 4; else in an ordinary array, scanned in JavaScript. Both give
 * the same bits. Fill `data` (row-major), then call {@link DotMatrix.dotAll}.
 */
export class DotMatrix {
  /** The number of rows. */
  readonly rows: number;
  /** The dimension of every row. */
  readonly dimension: number;
  /** The rows, row-major: fill it before scanning; views into it stay valid. */
  readonly data: Float32Array;
  /** The kernel in use. */
  readonly kernel: KernelKind;
  readonly #scan: (query: ArrayLike<number>) => Float64Array;

  /**
   * @param rows - the number of rows
   * @param dimension - the dimension
   * @param options - `kernel: "js"` forces the JavaScript kernel (tests compare the two)
   */
  constructor(rows: number, dimension: number, options: { readonly kernel?: KernelKind } = {}) {
    this.rows = rows;
    this.dimension = dimension;
    const wasm = options.kernel === "js" || dimension % 4 !== 0 || rows === 0 ? null : kernelModule();
    if (!wasm) {
      this.kernel = "js";
      this.data = new Float32Array(rows * dimension);
      this.#scan = (query) => dotRowsJs(query, this.data, rows, dimension);
      return;
    }
    const { matrixAt, bytes } = layout(rows, dimension);
    const kernel = new KernelMemory(wasm, bytes);
    this.kernel = "wasm";
    this.data = new Float32Array(kernel.memory.buffer, matrixAt, rows * dimension);
    this.#scan = (query) => kernel.scan(query, rows, dimension);
  }

  /**
   * The dot product of `query` with every row (a new array the caller owns).
   * @param query - `dimension` values
   */
  dotAll(query: ArrayLike<number>): Float64Array {
    if (query.length !== this.dimension)
      throw new RangeError(`query has ${query.length} values, the matrix ${this.dimension}`);
    return this.#scan(query);
  }
}

/**
 * Dot products of a small batch of rows (a request's candidates) with a few queries, on the same kernel as
 * {@link DotMatrix}: the rows are copied into one scratch matrix (WebAssembly memory that grows as needed,
 * shared by every call in this thread), then each query is one kernel call. Rows that are missing or of
 * another dimension count as zeros. Synchronous: load and scan within one turn of the event loop.
 */
export class BatchDots {
  #kernel: KernelMemory | null = null;
  #plain = new Float32Array(0);
  /** Held rows of the JavaScript path ({@link BatchDots.holdRow}). */
  #held = new Float64Array(0);
  #rows = 0;
  #d = 0;
  #wasm = true;

  /**
   * Copy rows in (zeros for a missing row or one of another dimension).
   * @param rows - the rows
   * @param d - the dimension
   */
  load(rows: readonly (ArrayLike<number> | null | undefined)[], d: number): void {
    this.#rows = rows.length;
    this.#d = d;
    const values = rows.length * d;
    const data = this.#data(values);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row && row.length === d) data.set(row, r * d);
      else data.fill(0, r * d, (r + 1) * d);
    }
  }

  /**
   * The dot product of `query` with every loaded row.
   * @param query - `d` values
   * @param out - where to write them (at least as many values as rows loaded; its first values are
   *   written): a caller scanning many queries reuses one array instead of a new one per scan (a new
   *   array of a few hundred values is an allocation outside the heap, ~1 µs)
   * @returns `out`, or a new array without it
   */
  scan(query: ArrayLike<number>, out?: Float64Array): Float64Array {
    const rows = this.#rows;
    const d = this.#d;
    const kernel = this.#onKernel();
    if (!kernel || rows === 0) return dotRowsJs(query, this.#data(rows * d), rows, d, out);
    return kernel.scan(query, rows, d, out);
  }

  /**
   * Keep loaded row `row` as a query in slot `slot` (its values as the kernel reads a query), for
   * {@link BatchDots.dotRow}: a caller comparing a few loaded rows with some others (MMR) computes only
   * the products it needs, without writing a query for each.
   * @param row - a loaded row
   * @param slot - a slot number (0, 1, …); a later call for the same slot replaces it
   */
  holdRow(row: number, slot: number): void {
    const d = this.#d;
    const kernel = this.#onKernel();
    if (kernel) {
      const { matrixAt } = layout(this.#rows, d);
      kernel.widen(matrixAt + row * d * 4, this.#slotAt(slot), d);
      return;
    }
    const values = this.#plain.subarray(row * d, (row + 1) * d);
    if (this.#held.length < (slot + 1) * d) {
      const grown = new Float64Array(Math.max((slot + 1) * d, this.#held.length * 2));
      grown.set(this.#held);
      this.#held = grown;
    }
    this.#held.set(values, slot * d);
  }

  /**
   * The dot product of the row held in `slot` ({@link BatchDots.holdRow}) with loaded row `row`: the same
   * bits as `scan` with the held row as the query, read at `row`.
   * @param slot - a held slot
   * @param row - a loaded row
   */
  dotRow(slot: number, row: number): number {
    const d = this.#d;
    const kernel = this.#onKernel();
    if (kernel) {
      const { matrixAt, outAt } = layout(this.#rows, d);
      return kernel.dotAt(this.#slotAt(slot), matrixAt + row * d * 4, d, outAt);
    }
    return dotAtJs(this.#held, slot * d, this.#plain, row * d, d);
  }

  /** The kernel whose memory holds the loaded rows, or null when they are in `#plain` (JavaScript path). */
  #onKernel(): KernelMemory | null {
    return this.#wasm && this.#d % 4 === 0 ? this.#kernel : null;
  }

  /** Where slot `slot` is in the kernel's memory: after the loaded rows' scores. */
  #slotAt(slot: number): number {
    const { outAt } = layout(this.#rows, this.#d);
    return align(outAt + this.#rows * 8, 16) + slot * this.#d * 8;
  }

  /** The scratch matrix for `values` floats (after the query; room for the scores after it). */
  #data(values: number): Float32Array {
    const d = this.#d;
    if (this.#wasm && d % 4 === 0) {
      const wasm = kernelModule();
      if (wasm) {
        const { matrixAt, bytes } = layout(values / Math.max(d, 1), d);
        if (!this.#kernel) this.#kernel = new KernelMemory(wasm, bytes);
        else this.#kernel.grow(bytes);
        return new Float32Array(this.#kernel.memory.buffer, matrixAt, values);
      }
      this.#wasm = false;
    }
    if (this.#plain.length < values) this.#plain = new Float32Array(values);
    return this.#plain.subarray(0, values);
  }
}

/** The batch kernel of this thread (the serve path's scorers and MMR). */
export const batchDots: BatchDots = new BatchDots();
