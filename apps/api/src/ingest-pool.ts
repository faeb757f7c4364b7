import { Worker } from "node:worker_threads";
import type { IngestBody, IngestBodyError, IngestBodyOptions } from "./ingest-body.js";

/** Bodies at least this large are read on the worker thread; smaller ones inline (cheaper than a hop). */
export const WORKER_THRESHOLD_BYTES = 256 * 1024;

type Pending = {
  resolve: (result: IngestBody | IngestBodyError) => void;
  reject: (error: Error) => void;
};

/**
 * One worker thread that reads large ingest bodies one after another, started on first use and unref'd
 * (it never keeps the process alive). A junk body of the maximum size costs the worker ~100 ms of JSON
 * parsing; the event loop stays free for /health and every other request.
 */
export class IngestWorker {
  #worker: Worker | null = null;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  #start(): Worker {
    // Built: the compiled worker beside this file; from sources: the bootstrap that loads it through tsx.
    const built = import.meta.url.endsWith(".js");
    const worker = built
      ? new Worker(new URL("./ingest-worker.js", import.meta.url))
      : new Worker(new URL("./ingest-worker-bootstrap.mjs", import.meta.url), {
          execArgv: ["--conditions=@recsys/source"],
        });
    worker.unref();
    worker.on(
      "message",
      (message: { id: number; result?: IngestBody | IngestBodyError; failure?: string }) => {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.result) pending.resolve(message.result);
        else pending.reject(new Error(message.failure ?? "ingest worker failed"));
      },
    );
    const fail = (error: Error) => {
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      this.#worker = null;
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`ingest worker exited with code ${code}`)));
    return worker;
  }

  /**
   * Read a body on the worker thread.
   * @param body - the decompressed body (its memory is handed over to the worker)
   * @param options - time, window, nesting limit, default call type
   */
  read(body: Buffer, options: IngestBodyOptions): Promise<IngestBody | IngestBodyError> {
    this.#worker ??= this.#start();
    const id = this.#next++;
    // Copy into a transferable buffer of its own (a Buffer may share a pooled ArrayBuffer).
    const copy = new Uint8Array(body.byteLength);
    copy.set(body);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker!.postMessage({ id, body: copy.buffer, options }, [copy.buffer]);
    });
  }

  /** Stop the worker. */
  async close(): Promise<void> {
    await this.#worker?.terminate();
    this.#worker = null;
  }
}
