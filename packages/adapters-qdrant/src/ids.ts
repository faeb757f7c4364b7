import { createHash } from "node:crypto";

const DIGITS = /^(?:0|[1-9][0-9]{0,14})$/;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A Qdrant point id: an unsigned integer or a UUID string. */
export type PointId = number | string;

/** The payload field that keeps an item's own id when its point id is a derived UUID. */
export const ITEM_ID_FIELD = "recsys_id";

/** The namespace of the name-based UUIDs derived from item ids (a fixed, random UUID). */
const NAMESPACE = Buffer.from("5d0c1a4e7b3f4f6c9a2e8b1d3c5f7a90", "hex");

/**
 * A name-based (version 5, SHA-1) UUID of a text in the recsys namespace: the same id always gives the
 * same UUID.
 * @param name - the text
 */
export function nameBasedUuid(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The Qdrant point id of a recsys item id (docs/behaviour.md §7.3): an id of up to 15 digits without a
 * leading zero is an integer point id, a lower-case UUID is itself, any other id (`content_101`, `abc`,
 * `007`, long digit strings, upper-case UUIDs) maps to a deterministic name-based UUID.
 * @param id - the item id
 */
export function toPointId(id: string): PointId {
  if (DIGITS.test(id)) return Number(id);
  if (CANONICAL_UUID.test(id)) return id;
  return nameBasedUuid(id);
}

/**
 * Whether an item id is its own point id, so the payload need not keep it.
 * @param id - the item id
 */
export function isNativePointId(id: string): boolean {
  return DIGITS.test(id) || CANONICAL_UUID.test(id);
}

/**
 * The recsys item id of a stored point: the id kept in its payload, else the point id as text.
 * @param id - the point id
 * @param payload - the point's payload, when fetched
 */
export function itemIdOf(id: PointId, payload?: Readonly<Record<string, unknown>> | null): string {
  const kept = payload?.[ITEM_ID_FIELD];
  return typeof kept === "string" ? kept : String(id);
}
