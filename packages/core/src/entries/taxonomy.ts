/**
 * `@recsys/core/taxonomy`: tag-key, label and filter-value normalisation, and content-id normalisation
 * and ordering.
 * @packageDocumentation
 */
export { normalizeContentId } from "../ids.js";
export { compareIds } from "../ids-order.js";
export { casefold, LABEL_ALIASES, normalizeFilterValue, normalizeKey, normalizeLabel } from "../taxonomy.js";
