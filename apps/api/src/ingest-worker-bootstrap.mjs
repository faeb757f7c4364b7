// Entry of the ingest worker thread when the service runs from TypeScript sources (development, tests):
// load the worker through tsx's loader. The built service starts dist/ingest-worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./ingest-worker.ts");
