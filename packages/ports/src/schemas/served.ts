import * as v from "valibot";
import { type ParseResult, safeParseWith } from "./issues.js";

const finite = v.pipe(v.number(), v.finite());

/** Schema of one item of a served list, as logged. */
export const ServedItemSchema = v.object({
  id: v.string(),
  rank: v.pipe(v.number(), v.integer(), v.minValue(1)),
  role: v.picklist(["target", "distractor"]),
  relevance_score: finite,
  breakdown: v.record(v.string(), finite),
  features: v.array(finite),
});

/**
 * Schema of a served-log entry (docs/behaviour.md, "Learning from feedback"): what was shown to whom, when,
 * and how it was made, with each item's feature vector, so rewards can be joined to it later.
 */
export const ServedEntrySchema = v.object({
  request_id: v.string(),
  user_id: v.string(),
  /** Server time, ISO 8601 UTC. */
  ts: v.string(),
  strategy: v.picklist(["warm", "cold"]),
  /** The ranking policy (`static`, `bandit`, …). */
  ranking: v.string(),
  /** The policy's version: its number of learned observations when it served (0 for static). */
  policy_version: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** The settings version, when settings are versioned. */
  settings_version: v.nullable(v.string()),
  /** The experiment variant, when the user is in an experiment. */
  variant: v.nullable(v.string()),
  filter: v.nullable(v.string()),
  items: v.array(ServedItemSchema),
});

/** One served list in the log. */
export type ServedEntry = v.InferOutput<typeof ServedEntrySchema>;

/** One item of a served list. */
export type ServedItem = v.InferOutput<typeof ServedItemSchema>;

/**
 * Validate a stored or read served-log entry.
 * @param value - parsed JSON
 */
export function safeParseServedEntry(value: unknown): ParseResult<ServedEntry> {
  return safeParseWith(ServedEntrySchema, value, "entry");
}
