import { readFile } from "node:fs/promises";
import { type Content, contentFromPayload, InvalidArgumentError } from "@recsys/ports";
import { isPackedCatalog, readPackedCatalogWithIndex } from "./packed-catalog.js";

/** One catalogue point (docs/behaviour.md §7.2): an id, an embedding and a payload. */
export interface CatalogPoint {
  /** Item id (numeric ids may be given as numbers; they are read as strings). */
  readonly id: string;
  /** The embedding. */
  readonly vector: Float32Array;
  /** The stored payload (title, text, tags, location, ...). */
  readonly payload: Readonly<Record<string, unknown>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Check one parsed catalogue entry.
 * @param value - parsed JSON
 * @param where - `file:line` (or `file[index]`) for error messages
 * @returns the point
 * @throws InvalidArgumentError naming the place and the field
 */
export function toCatalogPoint(value: unknown, where: string): CatalogPoint {
  if (!isObject(value)) throw new InvalidArgumentError(`${where}: a point must be a JSON object`, where);
  const { id, vector, payload } = value;
  if (
    !(typeof id === "string" && id !== "") &&
    !(typeof id === "number" && Number.isInteger(id) && id >= 0)
  ) {
    throw new InvalidArgumentError(
      `${where}: "id" must be a non-empty string or a non-negative integer`,
      where,
    );
  }
  if (
    !Array.isArray(vector) ||
    vector.length === 0 ||
    !vector.every((x) => typeof x === "number" && Number.isFinite(x))
  ) {
    throw new InvalidArgumentError(`${where}: "vector" must be a non-empty array of finite numbers`, where);
  }
  if (payload !== undefined && payload !== null && !isObject(payload)) {
    throw new InvalidArgumentError(`${where}: "payload" must be an object`, where);
  }
  return { id: String(id), vector: Float32Array.from(vector as number[]), payload: payload ?? {} };
}

/**
 * Parse a catalogue: JSON Lines (one point per line; blank lines skipped) or one JSON array of points.
 * @param text - the file contents
 * @param source - the file name, for error messages
 * @returns the points, in file order
 * @throws InvalidArgumentError naming `source:line` and what is wrong
 */
export function parseCatalog(text: string, source = "catalog"): CatalogPoint[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new InvalidArgumentError(`${source}: not valid JSON (${(error as Error).message})`, source);
    }
    return (parsed as unknown[]).map((value, index) => toCatalogPoint(value, `${source}[${index}]`));
  }
  const points: CatalogPoint[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new InvalidArgumentError(`${source}:${i + 1}: not valid JSON`, `${source}:${i + 1}`);
    }
    points.push(toCatalogPoint(parsed, `${source}:${i + 1}`));
  }
  return points;
}

/**
 * Read and parse a catalogue file (JSON Lines or a JSON array), or a packed catalogue directory
 * (`recsys catalog pack`).
 * @param path - the file, or the packed catalogue's directory
 */
export async function readCatalogFile(path: string): Promise<CatalogPoint[]> {
  return (await readCatalogWithIndex(path)).points;
}

/**
 * Like {@link readCatalogFile}, with the path of a packed catalogue's saved approximate index (null for a
 * catalogue file, or a packed one without an index).
 * @param path - the file, or the packed catalogue's directory
 */
export async function readCatalogWithIndex(
  path: string,
): Promise<{ points: CatalogPoint[]; annIndexFile: string | null }> {
  if (await isPackedCatalog(path)) return readPackedCatalogWithIndex(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InvalidArgumentError(
      `${path}: cannot read catalogue (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      path,
      {
        cause: error,
      },
    );
  }
  return { points: parseCatalog(text, path), annIndexFile: null };
}

/**
 * Contents of catalogue points.
 * @param points - the points
 */
export function contentsOf(points: readonly CatalogPoint[]): Content[] {
  return points.map((point) => contentFromPayload(point.id, point.payload));
}

/**
 * A catalogue as JSON Lines (the inverse of {@link parseCatalog}).
 * @param points - the points
 * @returns one `{"id", "vector", "payload"}` object per line
 */
export function serializeCatalog(points: readonly CatalogPoint[]): string {
  return `${points.map((p) => JSON.stringify({ id: p.id, vector: Array.from(p.vector), payload: p.payload })).join("\n")}\n`;
}
