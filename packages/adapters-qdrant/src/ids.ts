import { InvalidArgumentError } from "@recsys/ports";

const DIGITS = /^(?:0|[1-9][0-9]{0,14})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Qdrant point id: an unsigned integer or a UUID string. */
export type PointId = number | string;

/**
 * The Qdrant point id of a recsys item id: a numeric string becomes an integer id, a UUID stays a string.
 * @param id - the item id
 * @throws InvalidArgumentError for ids Qdrant cannot store (other strings, integers beyond 2^53)
 */
export function toPointId(id: string): PointId {
  if (DIGITS.test(id)) return Number(id);
  if (UUID.test(id)) return id.toLowerCase();
  throw new InvalidArgumentError(
    `item id ${JSON.stringify(id)} is neither an integer (up to 15 digits) nor a UUID, as Qdrant requires`,
    "id",
  );
}

/**
 * Whether an item id can be a Qdrant point id.
 * @param id - the item id
 */
export function isPointId(id: string): boolean {
  return DIGITS.test(id) || UUID.test(id);
}

/**
 * The recsys item id of a Qdrant point id.
 * @param id - the point id
 */
export function fromPointId(id: PointId): string {
  return String(id);
}
