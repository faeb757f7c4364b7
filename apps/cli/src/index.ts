export { stableHash } from "./hash.js";
export { type CliIo, run } from "./run.js";
export { aggregateEval, type EvalMetrics, type EvalRecord } from "./scoring.js";
