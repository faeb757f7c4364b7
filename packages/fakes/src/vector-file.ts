import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InvalidArgumentError } from "@recsys/ports";

/**
 * A catalogue's vectors in a file rather than in memory: row-major little-endian float32, row `i` the
 * vector of the store's `i`-th item (`vectors.f32` of a packed catalogue).
 */
export interface VectorFile {
  /** The file. */
  readonly path: string;
  /** The dimension of every row. */
  readonly dimension: number;
}

/** Rows read per call when a whole file is read (a 1.5 MB scratch at 384 dimensions). */
const CHUNK_ROWS = 1024;

const closeWhenCollected = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/**
 * Unit vectors read from a {@link VectorFile} when they are needed, one positioned read per row (served
 * from the page cache once the file is warm), normalised as the in-memory matrix normalises them, so a row
 * read here has the same bits as the same row held in memory. The file stays open while its owner lives.
 */
export class UnitRowReader {
  readonly #fd: number;
  readonly #d: number;
  readonly #rows: number;
  /** One row as read, before normalising. */
  readonly #raw: Float32Array;

  /**
   * @param file - the file and dimension
   * @param rows - how many rows it must hold
   * @param owner - the object whose collection closes the file
   * @throws InvalidArgumentError naming the file when it cannot be opened or has another size
   */
  constructor(file: VectorFile, rows: number, owner: object) {
    this.#d = file.dimension;
    this.#rows = rows;
    this.#raw = new Float32Array(file.dimension);
    try {
      this.#fd = openSync(file.path, "r");
    } catch (error) {
      throw new InvalidArgumentError(
        `${file.path}: cannot read vectors (${(error as NodeJS.ErrnoException).code ?? "error"})`,
        file.path,
        { cause: error },
      );
    }
    const bytes = fstatSync(this.#fd).size;
    if (bytes !== rows * file.dimension * 4) {
      closeSync(this.#fd);
      throw new InvalidArgumentError(
        `${file.path}: ${bytes} bytes, expected ${rows} × ${file.dimension} float32`,
        file.path,
      );
    }
    closeWhenCollected.register(owner, this.#fd, this);
  }

  /**
   * The unit vectors of some rows, row-major in one new array (the `k`-th requested row at `k × d`).
   * @param rows - row numbers
   */
  read(rows: readonly number[]): Float32Array {
    const d = this.#d;
    const out = new Float32Array(rows.length * d);
    const raw = this.#raw;
    const bytes = new Uint8Array(raw.buffer);
    for (let k = 0; k < rows.length; k++) {
      this.#fill(bytes, rows[k]! * d * 4);
      unitInto(raw, out, k * d);
    }
    return out;
  }

  /**
   * Every row's unit vector, row-major, into `out` (a new array when not given).
   * @param out - `rows × d` floats
   */
  readAll(out: Float32Array = new Float32Array(this.#rows * this.#d)): Float32Array {
    const d = this.#d;
    const chunk = new Float32Array(CHUNK_ROWS * d);
    for (let first = 0; first < this.#rows; first += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, this.#rows - first);
      this.#fill(new Uint8Array(chunk.buffer, 0, count * d * 4), first * d * 4);
      for (let r = 0; r < count; r++) {
        unitInto(chunk.subarray(r * d, (r + 1) * d), out, (first + r) * d);
      }
    }
    return out;
  }

  /** Close the file now (the reader is not used again). */
  close(): void {
    closeWhenCollected.unregister(this);
    closeSync(this.#fd);
  }

  /** Fill `into` from the file at `position` (a regular file reads short only at its end). */
  #fill(into: Uint8Array, position: number): void {
    let done = 0;
    while (done < into.length) {
      const read = readSync(this.#fd, into, done, into.length - done, position + done);
      if (read === 0) throw new RangeError(`vector file ended at byte ${position + done}`);
      done += read;
    }
  }
}

/**
 * `normalizeInto(row, out, offset, norm(row))` of `@recsys/core/scoring` (the same float64 sum of squares in
 * the same order, the same float32 quotients), in one monomorphic loop over float32 rows: it runs for every
 * row a request reads.
 */
function unitInto(row: Float32Array, out: Float32Array, offset: number): void {
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += row[i]! * row[i]!;
  const n = Math.sqrt(sum);
  if (n > 0) for (let i = 0; i < row.length; i++) out[offset + i] = row[i]! / n;
  else out.set(row, offset);
}
