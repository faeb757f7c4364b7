/**
 * `@recsys/core/time`: timestamp parsing and formatting on epoch milliseconds.
 * @packageDocumentation
 */
export { eventTime, formatTimestamp, type Instant, parseTimestamp, toEpochMs } from "../time.js";
