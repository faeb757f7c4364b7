// A worker thread that reads large ingest bodies (JSON parse and normalisation), so the service's event
// loop keeps answering other requests meanwhile.
import { parentPort } from "node:worker_threads";
import { type IngestBodyOptions, readIngestBody } from "./ingest-body.js";

parentPort!.on("message", (request: { id: number; body: ArrayBuffer; options: IngestBodyOptions }) => {
  try {
    const text = Buffer.from(request.body).toString("utf8");
    parentPort!.postMessage({ id: request.id, result: readIngestBody(text, request.options) });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, failure: String(error) });
  }
});
