import * as v from "valibot";
import { TagSchema } from "./tag.js";

/** The content types a catalogue item may have; unknown payload values fall back to `text_item`. */
export const CONTENT_TYPES = [
  "text_item",
  "image_item",
  "video_item",
  "audio_item",
  "exhibition",
  "tag",
  "poi",
] as const;

/** One of {@link CONTENT_TYPES}. */
export type ContentType = (typeof CONTENT_TYPES)[number];

const finite = v.pipe(v.number(), v.finite());

/** Schema of a normalised catalogue item (docs/behaviour.md §2). */
export const ContentSchema = v.object({
  id: v.string(),
  content_type: v.optional(v.picklist(CONTENT_TYPES), "text_item"),
  title: v.optional(v.string(), ""),
  text: v.optional(v.string(), ""),
  tags: v.optional(v.array(TagSchema), []),
  word_count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  has_image: v.optional(v.boolean(), false),
  lat: v.optional(v.nullable(finite), null),
  lon: v.optional(v.nullable(finite), null),
  image_url: v.optional(v.nullable(v.string()), null),
  public_url: v.optional(v.nullable(v.string()), null),
  years: v.optional(v.array(v.pipe(v.number(), v.integer())), []),
});

/** A normalised catalogue item. */
export type Content = v.InferOutput<typeof ContentSchema>;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toFiniteNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function firstString(...values: unknown[]): string | null {
  for (const value of values) {
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

function readLocation(payload: Json): { lat: number | null; lon: number | null } {
  let loc: unknown = payload.locations ?? payload.location;
  if (Array.isArray(loc)) loc = loc[0];
  if (isObject(loc) && "lat" in loc && "lon" in loc) {
    const lat = toFiniteNumber(loc.lat);
    const lon = toFiniteNumber(loc.lon);
    if (lat !== null && lon !== null) return { lat, lon };
    return { lat: null, lon: null };
  }
  const lat = toFiniteNumber(payload.lat);
  const lon = toFiniteNumber(payload.lon);
  return lat !== null && lon !== null ? { lat, lon } : { lat: null, lon: null };
}

const YEAR = /(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])/g;

/**
 * Every standalone 4-digit year (18xx, 19xx, 20xx) in a `time_metadata` value, deduplicated and sorted.
 * @param value - a scalar or a list of scalars (strings or numbers)
 * @returns sorted unique years
 * @example parseYears(["1942", "c. 1943-1944"]) // [1942, 1943, 1944]
 */
export function parseYears(value: unknown): number[] {
  const values = Array.isArray(value) ? value : [value];
  const years = new Set<number>();
  for (const item of values) {
    if (typeof item !== "string" && typeof item !== "number") continue;
    for (const match of String(item).matchAll(YEAR)) years.add(Number(match[1]));
  }
  return [...years].sort((a, b) => a - b);
}

function readTags(raw: unknown): Content["tags"] {
  if (!Array.isArray(raw)) return [];
  const tags: Content["tags"] = [];
  for (const item of raw) {
    if (!isObject(item)) continue;
    const weight = item.weight === undefined || item.weight === null ? 1 : toFiniteNumber(item.weight);
    tags.push({
      facet: typeof item.facet === "string" ? item.facet : "unknown",
      label: typeof item.label === "string" ? item.label : item.label == null ? "" : String(item.label),
      weight: weight ?? 1,
    });
  }
  return tags;
}

function readWordCount(payload: Json): number {
  const n = toFiniteNumber(payload.text_length_words) || toFiniteNumber(payload.word_count) || 0;
  return n > 0 ? Math.trunc(n) : 0;
}

/**
 * Turn a stored catalogue payload (docs/behaviour.md §7.2) into a {@link Content}.
 *
 * This is the single place the payload shape is read; every content store uses it. It never throws:
 * missing or malformed fields take their defaults.
 *
 * @param id - the item id (already a string)
 * @param payload - the stored payload object
 * @returns the normalised content
 * @example
 * contentFromPayload("101", { title: "T", tags: [{ facet: "theme_what", label: "Family" }], word_count: 120 })
 */
export function contentFromPayload(id: string, payload: unknown): Content {
  const p: Json = isObject(payload) ? payload : {};
  const imageUrl = firstString(p.image_url, p.imageUrl, p.thumbnail_url);
  const filesUrl = p.files_url;
  const contentType = (CONTENT_TYPES as readonly unknown[]).includes(p.content_type)
    ? (p.content_type as ContentType)
    : "text_item";
  const time = isObject(p.time_metadata) ? p.time_metadata : {};
  const { lat, lon } = readLocation(p);
  return {
    id,
    content_type: contentType,
    title: typeof p.title === "string" ? p.title : "",
    text: typeof p.text === "string" ? p.text : "",
    tags: readTags(p.tags),
    word_count: readWordCount(p),
    has_image: imageUrl !== null || (Array.isArray(filesUrl) && filesUrl.length > 0),
    lat,
    lon,
    image_url: imageUrl,
    public_url: firstString(p.public_url, p.publicUrl),
    years: parseYears(time.dates_of_creation ?? time.date),
  };
}
