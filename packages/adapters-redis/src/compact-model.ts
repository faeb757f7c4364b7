import { deflateRawSync, inflateRawSync } from "node:zlib";
import { type ParseResult, safeParseUserSignals, type UserSignals } from "@recsys/ports";
import { halfToNumber, numberToHalf } from "./half.js";

/** How the vectors of a compact model are stored: IEEE half or single precision. */
export type VectorPrecision = "float16" | "float32";

/** First byte of a compact model: a zero byte, which no JSON text starts with. */
const MAGIC = 0x00;
/** Layout version (second byte): bump on any change, keep decoding the old ones. */
const VERSION = 0x01;
/** Third byte: the vector precision. */
const PRECISION_CODES: Record<VectorPrecision, number> = { float16: 16, float32: 32 };
/** A vector dimension meaning "no vector" (null). */
const NO_VECTOR = 0xffff;
const HEADER_BYTES = 7;
/** The largest finite float16. */
const FLOAT16_MAX = 65_504;
/**
 * Field texts of at least this many bytes are deflated; shorter ones are kept as they are, in one stored
 * (uncompressed) deflate block. Deflating costs ~20–40 µs a save however short the text (Node makes a zlib
 * stream each time) and saves about 200 bytes on a text of 500; a stored block costs a copy, and any
 * inflater reads it, so earlier readers of the layout still read every model.
 */
export const DEFLATE_FROM_BYTES = 1024;
/** The header byte of a final stored deflate block (RFC 1951 §3.2.4: BFINAL 1, BTYPE 00). */
const STORED_BLOCK = 0x01;
/** Bytes of a stored block's header: its first byte, then LEN and NLEN (16-bit little-endian each). */
const STORED_HEADER_BYTES = 5;

/**
 * How far a float16 vector component read back may be from the one written: 2⁻¹¹ of its size, plus 2⁻²⁵
 * for values below float16's normal range (2⁻¹⁴).
 */
export const FLOAT16_VECTOR_ERROR = { relative: 2 ** -11, absolute: 2 ** -25 } as const;

/** The fields of the model besides the user id and the vectors, in their stored order (append only). */
const FIELDS = [
  "positives",
  "negatives",
  "viewed",
  "recent_views",
  "tag_affinity",
  "tag_aversion",
  "behavior",
  "demographics",
] as const;

/**
 * The fields' JSON text as raw deflate: compressed from {@link DEFLATE_FROM_BYTES} bytes on, else one
 * stored block.
 * @param text - the fields' JSON text
 */
function packFields(text: string): Buffer {
  const length = Buffer.byteLength(text, "utf8");
  if (length >= DEFLATE_FROM_BYTES) return deflateRawSync(text);
  const out = Buffer.allocUnsafe(STORED_HEADER_BYTES + length);
  out[0] = STORED_BLOCK;
  out.writeUInt16LE(length, 1);
  out.writeUInt16LE(~length & 0xffff, 3);
  out.write(text, STORED_HEADER_BYTES, "utf8");
  return out;
}

/**
 * The fields' JSON text from their raw deflate: a single stored block is read as it is, anything else is
 * inflated (and throws when damaged).
 * @param bytes - the bytes after the vectors
 */
function unpackFields(bytes: Uint8Array): string {
  if (bytes.length >= STORED_HEADER_BYTES && bytes[0] === STORED_BLOCK) {
    const length = bytes[1]! | (bytes[2]! << 8);
    const check = bytes[3]! | (bytes[4]! << 8);
    if (STORED_HEADER_BYTES + length === bytes.length && (length ^ check) === 0xffff)
      return Buffer.from(bytes.buffer, bytes.byteOffset + STORED_HEADER_BYTES, length).toString("utf8");
  }
  return inflateRawSync(bytes).toString("utf8");
}

/**
 * Whether a stored value is a compact model (rather than the reference's JSON text).
 * @param bytes - the stored value
 */
export function isCompactModel(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_BYTES && bytes[0] === MAGIC;
}

/**
 * The compact, binary form of a user model: a 7-byte header (zero byte, layout version, vector precision,
 * and the two vector dimensions as little-endian 16-bit numbers, 0xFFFF for no vector), the taste and
 * recency vectors as IEEE float16 (default) or float32, then the other fields as a JSON array in a fixed
 * order, in raw deflate (compressed from {@link DEFLATE_FROM_BYTES} bytes of text, shorter texts in one
 * stored block). The user id is not stored: it is the key's. A 384-d model of 30 viewed items
 * takes about 2.5 KB with float16 vectors, against about 19 KB as the reference's JSON. Float16 keeps 11
 * significant bits, so a vector component moves by at most 2⁻¹¹ of its size (cosines by about 1e-4 at
 * worst); BENCHMARKS.md has the measurement behind the default.
 * A model with a vector component beyond float16's range (±65,504) is written with float32 vectors.
 * @param signals - the model
 * @param precision - how vectors are stored (default float16)
 * @returns the bytes to store
 * @throws RangeError when a vector has 65,535 or more dimensions
 */
export function encodeCompactModel(signals: UserSignals, precision: VectorPrecision = "float16"): Buffer {
  const taste = signals.taste_vector;
  const recency = signals.recency_vector;
  let fitsHalf = precision === "float16";
  for (const vector of [taste, recency]) {
    if (!vector) continue;
    if (vector.length >= NO_VECTOR) throw new RangeError(`vector of ${vector.length} dimensions`);
    if (fitsHalf) fitsHalf = vector.every((value) => Math.abs(value) <= FLOAT16_MAX);
  }
  const width = fitsHalf ? 2 : 4;
  const rest = packFields(JSON.stringify(FIELDS.map((field) => signals[field])));
  const vectorBytes = ((taste?.length ?? 0) + (recency?.length ?? 0)) * width;
  const out = Buffer.allocUnsafe(HEADER_BYTES + vectorBytes + rest.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = MAGIC;
  out[1] = VERSION;
  out[2] = PRECISION_CODES[fitsHalf ? "float16" : "float32"];
  view.setUint16(3, taste ? taste.length : NO_VECTOR, true);
  view.setUint16(5, recency ? recency.length : NO_VECTOR, true);
  let offset = HEADER_BYTES;
  for (const vector of [taste, recency]) {
    if (!vector) continue;
    if (width === 2)
      for (let i = 0; i < vector.length; i++) {
        const bits = numberToHalf(vector[i]!);
        out[offset + 2 * i] = bits & 0xff;
        out[offset + 2 * i + 1] = bits >>> 8;
      }
    else for (let i = 0; i < vector.length; i++) view.setFloat32(offset + 4 * i, vector[i]!, true);
    offset += vector.length * width;
  }
  rest.copy(out, offset);
  return out;
}

/**
 * The model a compact value stands for, or a message saying why it is not one (a damaged or unknown
 * value is never a crash).
 * @param userId - the user whose key held the value
 * @param bytes - the stored value
 */
export function decodeCompactModel(userId: string, bytes: Uint8Array): ParseResult<UserSignals> {
  if (!isCompactModel(bytes)) return { success: false, message: "not a compact model" };
  if (bytes[1] !== VERSION) return { success: false, message: `unknown compact model version ${bytes[1]}` };
  const width = bytes[2] === 16 ? 2 : bytes[2] === 32 ? 4 : 0;
  if (width === 0) return { success: false, message: `unknown vector precision ${bytes[2]}` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dimensions = [view.getUint16(3, true), view.getUint16(5, true)];
  let offset = HEADER_BYTES;
  const vectors: (number[] | null)[] = [];
  for (const dimension of dimensions) {
    if (dimension === NO_VECTOR) {
      vectors.push(null);
      continue;
    }
    if (offset + dimension * width > bytes.length) return { success: false, message: "truncated vector" };
    const vector = new Array<number>(dimension);
    if (width === 2)
      for (let i = 0; i < dimension; i++, offset += 2)
        vector[i] = halfToNumber(bytes[offset]! | (bytes[offset + 1]! << 8));
    else for (let i = 0; i < dimension; i++, offset += 4) vector[i] = view.getFloat32(offset, true);
    vectors.push(vector);
  }
  let fields: unknown;
  try {
    fields = JSON.parse(unpackFields(bytes.subarray(offset)));
  } catch {
    return { success: false, message: "damaged fields" };
  }
  if (!Array.isArray(fields)) return { success: false, message: "damaged fields" };
  const model: Record<string, unknown> = { user_id: userId };
  FIELDS.forEach((field, i) => {
    if (fields[i] !== undefined && fields[i] !== null) model[field] = fields[i];
  });
  model.taste_vector = vectors[0];
  model.recency_vector = vectors[1];
  return safeParseUserSignals(model);
}
