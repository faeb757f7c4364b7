// Entry of the ingest worker thread: the built worker when there is one, else the TypeScript source
// through tsx's loader (the service runs from sources in development and tests).
import { existsSync } from "node:fs";

const built = new URL("./ingest-worker.js", import.meta.url);
if (existsSync(built)) await import(built.href);
else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./ingest-worker.ts");
}
