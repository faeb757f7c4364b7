import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { norm, normalizeInto } from "@recsys/core/scoring";
import { InvalidArgumentError, LruMap } from "@recsys/ports";

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

/**
 * Check that a vectors file holds exactly `rows × dimension` float32 values.
 * @throws InvalidArgumentError naming the file, its size and the size expected
 */
export function checkVectorBytes(path: string, bytes: number, rows: number, dimension: number): void {
  if (bytes !== rows * dimension * 4)
    throw new InvalidArgumentError(`${path}: ${bytes} bytes, expected ${rows} × ${dimension} float32`, path);
}

/** Rows read per call when a whole file is read (a 1.5 MB scratch at 384 dimensions). */
const CHUNK_ROWS = 1024;

/**
 * How many rows a {@link UnitRowReader} keeps, by default: the most recently used of those read to be kept
 * (3 MB at 384 dimensions, 2 % of a 100,000-row file's bytes). The store asks to keep the rows of an answer
 * it gives again (a warm user asked for again: a few hundred rows), and a kept row is the same array every
 * time, so what the serve path derives from a vector once (its norm, its unit copy) is not derived again.
 * Rows read for a first answer are not kept: requests for users in turn read rows that are rarely read
 * again, and keeping them would only make long-lived garbage (measured at 100,000 items, users in turn:
 * keeping every row read twice lately raised the worst request from 33–60 ms to 88–132 ms).
 */
export const KEPT_ROWS = 2048;

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
  /** Rows kept after they were read, by row number, in order of use (the least recently used first). */
  readonly #kept = new LruMap<number, Float32Array>();
  readonly #keep: number;

  /**
   * @param file - the file and dimension
   * @param rows - how many rows it must hold
   * @param owner - the object whose collection closes the file
   * @param keep - how many rows {@link UnitRowReader.rows} keeps at most (default {@link KEPT_ROWS}; 0: none)
   * @throws InvalidArgumentError naming the file when it cannot be opened or has another size
   */
  constructor(file: VectorFile, rows: number, owner: object, keep = KEPT_ROWS) {
    this.#d = file.dimension;
    this.#keep = keep;
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
    try {
      checkVectorBytes(file.path, fstatSync(this.#fd).size, rows, file.dimension);
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
    closeWhenCollected.register(owner, this.#fd, this);
  }

  /**
   * The unit vectors of some rows, one array each: a kept row is the array handed out before; the others
   * are read now and, with `keep`, kept (the least recently used making room once `keep` rows are kept).
   * Callers must not write to them.
   * @param rows - row numbers
   * @param keep - keep the rows read now (rows that will be asked for again)
   */
  rows(rows: readonly number[], keep = false): Float32Array[] {
    const kept = this.#kept;
    const raw = this.#raw;
    const bytes = new Uint8Array(raw.buffer);
    return rows.map((row) => {
      let unit = kept.get(row); // a kept row is now the most recently used
      if (unit) return unit;
      this.#fill(bytes, row * this.#d * 4);
      unit = normalizeInto(raw, new Float32Array(this.#d), 0, norm(raw));
      if (keep && this.#keep > 0) {
        kept.set(row, unit);
        while (kept.size > this.#keep) kept.shift();
      }
      return unit;
    });
  }

  /** How many rows are kept (see {@link UnitRowReader.rows}). */
  get keptRows(): number {
    return this.#kept.size;
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
        const row = chunk.subarray(r * d, (r + 1) * d);
        normalizeInto(row, out, (first + r) * d, norm(row));
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
