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
  /** The estimates' kernel (int8 rows, int16 query, int32 sums). */
  readonly dotRowsInt8: DotRows;
  #doubles: Float64Array;

  /**
   * @param wasm - the compiled kernel
   * @param bytes - the memory's size at least
   */
  constructor(wasm: { readonly api: WasmApi; readonly module: object }, bytes: number) {
    this.memory = new wasm.api.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const instance = new wasm.api.Instance(wasm.module, { env: { memory: this.memory } });
    this.#dotRows = instance.exports.dotRows as DotRows;
    this.dotRowsInt8 = instance.exports.dotRowsInt8 as DotRows;
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

  /**
   * The products of the query with the rows `rows` (ascending) of the matrix, as {@link KernelMemory.scan}
   * computes them: the query written at 0, one kernel call per run of consecutive rows.
   */
  scanRows(query: ArrayLike<number>, rows: Int32Array, d: number, total: number): Float64Array {
    const count = rows.length;
    const { matrixAt, outAt } = layout(total, d);
    this.#doubles.set(asTyped(query), 0);
    const out = new Float64Array(count);
    const doubles = this.#doubles;
    const bytes = d * 4;
    for (let i = 0; i < count; ) {
      const first = rows[i]!;
      let end = i + 1;
      while (end < count && rows[end] === first + (end - i)) end++;
      this.#dotRows(0, matrixAt + first * bytes, end - i, d, outAt + first * 8);
      for (let k = i; k < end; k++) out[k] = doubles[outAt / 8 + first + (k - i)]!;
      i = end;
    }
    return out;
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
 * Estimates of one query's dot products with every row of a {@link DotMatrix} ({@link DotMatrix.estimate}),
 * each within a known slack of the product {@link DotMatrix.dotAll} gives: what {@link DotMatrix.nearest}
 * ranks from, computing exactly only the rows whose estimate can reach the top.
 */
export interface DotEstimate {
  /** The query, as the exact kernel reads it. */
  readonly query: Float64Array;
  /** Per row, the estimated product. */
  readonly values: Float64Array;
  /**
   * Per row, how far the exact product may lie from the estimate (either way); null when the values are the
   * exact products themselves.
   */
  readonly slack: Float64Array | null;
}

/** Options of {@link DotMatrix}. */
export interface DotMatrixOptions {
  /** `js` forces the JavaScript kernel (tests compare the two). */
  readonly kernel?: KernelKind;
  /**
   * Whether {@link DotMatrix.estimate} reads an int8 copy of the rows (a quarter of the bytes) instead of
   * computing every product exactly. Default: with the WebAssembly kernel from {@link ESTIMATED_FROM_ROWS}
   * rows.
   */
  readonly estimates?: boolean;
}

/**
 * From this many rows a {@link DotMatrix} estimates from its int8 copy (below, a full scan costs little more:
 * 0.88× at 256 rows, 0.64× at 512, BENCHMARKS.md).
 */
export const ESTIMATED_FROM_ROWS = 512;

/**
 * A matrix of float32 row vectors laid out where the exact-scan kernel reads them: in WebAssembly memory,
 * scanned with SIMD (float64 products and sums, see {@link dotRowsJs}), when the runtime has WebAssembly
 * SIMD and the dimension is a multiple of 4; else in an ordinary array, scanned in JavaScript. Both give
 * the same bits. Fill `data` (row-major), then call {@link DotMatrix.dotAll}, or {@link DotMatrix.estimate}
 * and {@link DotMatrix.nearest} for the best rows only.
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
  readonly #memory: KernelMemory | null;
  readonly #estimates: boolean;
  /** The int8 copy of the rows (made at the first estimate, or by {@link DotMatrix.prepare}). */
  #quantized: QuantizedRows | null = null;
  /** Scratch of {@link DotMatrix.nearest}: the highest lower bounds (a min-heap) and the candidate rows. */
  #heap = new Float64Array(0);
  #rowScratch = new Int32Array(0);

  /**
   * @param rows - the number of rows
   * @param dimension - the dimension
   * @param options - the kernel, and whether to estimate from an int8 copy
   */
  constructor(rows: number, dimension: number, options: DotMatrixOptions = {}) {
    this.rows = rows;
    this.dimension = dimension;
    const wasm = options.kernel === "js" || dimension % 4 !== 0 || rows === 0 ? null : kernelModule();
    if (!wasm) {
      this.kernel = "js";
      this.data = new Float32Array(rows * dimension);
      this.#memory = null;
      this.#estimates = false;
      return;
    }
    const { matrixAt, bytes } = layout(rows, dimension);
    this.#memory = new KernelMemory(wasm, bytes);
    this.kernel = "wasm";
    this.data = new Float32Array(this.#memory.memory.buffer, matrixAt, rows * dimension);
    this.#estimates = options.estimates ?? rows >= ESTIMATED_FROM_ROWS;
  }

  /**
   * The dot product of `query` with every row (a new array the caller owns).
   * @param query - `dimension` values
   */
  dotAll(query: ArrayLike<number>): Float64Array {
    this.#check(query);
    return this.#memory
      ? this.#memory.scan(query, this.rows, this.dimension)
      : dotRowsJs(query, this.data, this.rows, this.dimension);
  }

  /**
   * Make the int8 copy that {@link DotMatrix.estimate} reads now (else its first call does): call it once
   * `data` is filled. Later changes to `data` are not seen by the estimates.
   */
  prepare(): void {
    if (this.#estimates && this.#memory && !this.#quantized) {
      this.#quantized = new QuantizedRows(this.data, this.rows, this.dimension);
    }
  }

  /**
   * Estimates of the dot products of `query` with every row, for {@link DotMatrix.nearest}: from the int8
   * copy of the rows (each product within its slack of the exact one, docs/behaviour.md §7.2), or the exact
   * products where estimates are off (the JavaScript kernel, a small matrix, a query that is not finite).
   * @param query - `dimension` values
   */
  estimate(query: ArrayLike<number>): DotEstimate {
    this.#check(query);
    const exact = Float64Array.from(query);
    this.prepare();
    return this.#quantized?.estimate(exact) ?? { query: exact, values: this.dotAll(exact), slack: null };
  }

  /**
   * The `k` rows with the highest dot products with an estimate's query (with its negation for `sign` −1)
   * among the rows `accept` takes, best first, ties to the lower row, with their products: the same rows,
   * order and bits as ranking every product of {@link DotMatrix.dotAll} (negated for −1). Only rows whose
   * estimate can reach the top are computed exactly: with at most `refusedAtMost` rows refused, the `k`-th
   * best product is at least the (`k` + `refusedAtMost`)-th highest lower bound, so a row whose upper bound
   * is below that cannot be among them.
   * @param estimate - from {@link DotMatrix.estimate} on this matrix
   * @param k - how many rows
   * @param accept - whether a row may be returned (asked only of rows that would enter the list)
   * @param refusedAtMost - at least as many as the rows `accept` refuses
   * @param sign - 1, or −1 to rank by the negated products
   */
  nearest(
    estimate: DotEstimate,
    k: number,
    accept: (row: number) => boolean,
    refusedAtMost: number,
    sign: 1 | -1 = 1,
  ): [row: number, score: number][] {
    const best: [number, number][] = [];
    if (k <= 0 || this.rows === 0) return best;
    const { values, slack } = estimate;
    let rows: Int32Array | null = null;
    let scores = values;
    if (slack !== null) {
      if (!this.#memory) throw new Error("estimates need the WebAssembly kernel");
      rows = this.#candidates(values, slack, k + refusedAtMost, sign);
      scores = this.#memory.scanRows(estimate.query, rows, this.dimension, this.rows);
    }
    const count = scores.length;
    // The score to beat once the list is full (the last one's).
    let floor = Number.NaN;
    for (let i = 0; i < count; i++) {
      const score = sign * scores[i]!;
      if (!(score > floor) && best.length === k) continue;
      const row = rows ? rows[i]! : i;
      if (!accept(row)) continue;
      keepBest(best, [row, score], k, higherScore);
      if (best.length === k) floor = best[k - 1]![1];
    }
    return best;
  }

  /**
   * The rows (ascending) whose product, signed, can be at least the `m`-th highest lower bound: every row
   * when `m` covers them all. Two passes: the `m` highest lower bounds kept in a min-heap, then the rows
   * whose upper bound reaches its least. The array is scratch, valid until the next call.
   */
  #candidates(values: Float64Array, slack: Float64Array, m: number, sign: 1 | -1): Int32Array {
    const n = this.rows;
    if (this.#rowScratch.length < n) this.#rowScratch = new Int32Array(n);
    const rows = this.#rowScratch;
    if (m >= n) {
      for (let r = 0; r < n; r++) rows[r] = r;
      return rows.subarray(0, n);
    }
    if (this.#heap.length < m) this.#heap = new Float64Array(m);
    const heap = this.#heap;
    let size = 0;
    for (let r = 0; r < n; r++) {
      const low = sign * values[r]! - slack[r]!;
      if (size < m) siftUp(heap, size++, low);
      else if (low > heap[0]!) siftDown(heap, m, low);
    }
    const bar = heap[0]!;
    let count = 0;
    for (let r = 0; r < n; r++) if (sign * values[r]! + slack[r]! >= bar) rows[count++] = r;
    return rows.subarray(0, count);
  }

  #check(query: ArrayLike<number>): void {
    if (query.length !== this.dimension)
      throw new RangeError(`query has ${query.length} values, the matrix ${this.dimension}`);
  }
}

/**
 * Insert an entry into a list kept sorted by `before` and at most `size` long: an entry goes after the
 * entries it does not come before, so of two that tie the one inserted first stays first (with entries
 * inserted in row order, ties go to the lower row, as a sort of every entry would place them).
 * @param best - the list, best first
 * @param entry - the new entry
 * @param size - the list's bound
 * @param before - whether the first entry ranks before the second
 */
export function keepBest<T>(best: T[], entry: T, size: number, before: (a: T, b: T) => boolean): void {
  let at = best.length;
  while (at > 0 && before(entry, best[at - 1]!)) at--;
  best.splice(at, 0, entry);
  if (best.length > size) best.pop();
}

/** Row and score pairs by score, highest first. */
const higherScore = (a: readonly [number, number], b: readonly [number, number]) => a[1] > b[1];

/** Add `value` to a min-heap of `size` values (the least at 0). */
function siftUp(heap: Float64Array, size: number, value: number): void {
  let at = size;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[at] = heap[parent]!;
    at = parent;
  }
  heap[at] = value;
}

/** Replace the least value of a full min-heap of `size` values with `value`. */
function siftDown(heap: Float64Array, size: number, value: number): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
    if (heap[child]! >= value) break;
    heap[at] = heap[child]!;
    at = child;
  }
  heap[at] = value;
}

/** Relative allowance for the rounding of the exact kernel and of the estimates' own float64 arithmetic. */
const ROUNDING = 1e-9;

/**
 * An int8 copy of a matrix's rows for estimates: row r as `scale[r]` × int8 values (the largest magnitude
 * 127), in a kernel memory of its own (the matrix's is never grown: views into it are held), with each
 * row's norm and the norm of what the int8 values leave out (`residual[r]`). For a query q written as
 * `qs` × int16 values with residual ρq, the exact product q·x lies within (‖q‖ + ρq)·residual + ρq·‖x‖
 * of `qs` × `scale` × (the integer product): the two rounding errors, each bounded by Cauchy–Schwarz.
 */
class QuantizedRows {
  readonly #memory: KernelMemory;
  readonly #rows: number;
  readonly #d: number;
  /** Values a row takes in the copy: the dimension rounded up to 16 (zeros after it). */
  readonly #width: number;
  /** The largest magnitude of the query's int16 values: every int32 sum stays below 2^31. */
  readonly #queryMax: number;
  readonly #scale: Float64Array;
  readonly #norm: Float64Array;
  readonly #residual: Float64Array;
  readonly #rowsAt: number;
  readonly #outAt: number;
  /** The largest row norm; not finite when a row holds a value that is not. */
  readonly #largestNorm: number;

  constructor(data: Float32Array, rows: number, d: number) {
    const wasm = kernelModule()!;
    this.#rows = rows;
    this.#d = d;
    const width = Math.ceil(d / 16) * 16;
    this.#width = width;
    this.#queryMax = Math.min(32_767, Math.floor((2 ** 31 - 1) / (127 * width)));
    this.#rowsAt = align(width * 2, 16);
    this.#outAt = align(this.#rowsAt + rows * width, 16);
    this.#memory = new KernelMemory(wasm, this.#outAt + rows * 4);
    const copy = new Int8Array(this.#memory.memory.buffer, this.#rowsAt, rows * width);
    this.#scale = new Float64Array(rows);
    this.#norm = new Float64Array(rows);
    this.#residual = new Float64Array(rows);
    let largestNorm = 0;
    for (let r = 0; r < rows; r++) {
      const at = r * d;
      let largest = 0;
      let squares = 0;
      for (let j = 0; j < d; j++) {
        const x = data[at + j]!;
        largest = Math.max(largest, Math.abs(x));
        squares += x * x;
      }
      if (!Number.isFinite(squares)) {
        // A value that is not finite (or squares past float64): no estimates for this matrix (below).
        largestNorm = Number.NaN;
        break;
      }
      this.#norm[r] = Math.sqrt(squares);
      largestNorm = Math.max(largestNorm, this.#norm[r]!);
      const scale = largest / 127;
      this.#scale[r] = scale;
      let left = 0;
      for (let j = 0; j < d; j++) {
        const x = data[at + j]!;
        const q = scale === 0 ? 0 : Math.round(x / scale);
        copy[r * width + j] = q;
        const rest = x - scale * q;
        left += rest * rest;
      }
      this.#residual[r] = Math.sqrt(left);
    }
    this.#largestNorm = largestNorm;
  }

  /**
   * Estimates for a query (see {@link DotMatrix.estimate}); null when a product may not be finite (a value
   * of the query or of a row that is not, or magnitudes whose products could overflow): the exact scan
   * then ranks every row, as a full ranking places a NaN.
   */
  estimate(query: Float64Array): DotEstimate | null {
    const d = this.#d;
    const rows = this.#rows;
    const buffer = this.#memory.memory.buffer;
    let largest = 0;
    let squares = 0;
    for (let j = 0; j < d; j++) {
      largest = Math.max(largest, Math.abs(query[j]!));
      squares += query[j]! * query[j]!;
    }
    if (!(Math.sqrt(squares) * this.#largestNorm < 1e300)) return null;
    const queryScale = largest / this.#queryMax;
    const q16 = new Int16Array(buffer, 0, this.#width);
    let left = 0;
    for (let j = 0; j < d; j++) {
      const q = queryScale === 0 ? 0 : Math.round(query[j]! / queryScale);
      q16[j] = q;
      const rest = query[j]! - queryScale * q;
      left += rest * rest;
    }
    const queryNorm = Math.sqrt(squares);
    const queryResidual = Math.sqrt(left);
    this.#memory.dotRowsInt8(0, this.#rowsAt, rows, this.#width, this.#outAt);
    const sums = new Int32Array(buffer, this.#outAt, rows);
    const values = new Float64Array(rows);
    const slack = new Float64Array(rows);
    const scale = this.#scale;
    const residual = this.#residual;
    const norm = this.#norm;
    const perResidual = queryNorm + queryResidual;
    const perNorm = queryResidual + ROUNDING * queryNorm;
    for (let r = 0; r < rows; r++) {
      values[r] = queryScale * scale[r]! * sums[r]!;
      slack[r] = perResidual * residual[r]! + perNorm * norm[r]!;
    }
    return { query, values, slack };
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
