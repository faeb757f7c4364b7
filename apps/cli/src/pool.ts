import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CliError } from "./errors.js";
import { parseEvents } from "./events-file.js";
import { HEAP_SLACK_BYTES, heapGuard } from "./heap.js";
import { createScorer, type Scorer, type ScoringContext } from "./scoring.js";
import type { Command, WorkerReply, WorkerRequest } from "./worker.js";

/**
 * Receives results in input order; a returned promise holds back further work until it settles, so a slow
 * consumer (a full output pipe) bounds what is in flight.
 */
export type ResultSink = (result: unknown) => void | Promise<void>;

/** Scores users on the main thread or on worker threads, keeping input order. */
export interface ScoringPool {
  /** Number of catalogue items (from whichever scorer has loaded the catalogue). */
  catalogSize(): Promise<number>;
  /**
   * Score `users`, handing each result to `onResult` in input order as soon as it and every result before
   * it are ready: nothing holds a whole pass of results.
   */
  run(
    command: Command,
    users: readonly [string, string[]][],
    onProgress: (done: number) => void,
    onResult: ResultSink,
  ): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = 16;

/**
 * The number of workers to use: `requested`, or every core (`availableParallelism`) when 0.
 * @param requested - `--workers`
 */
export function workerCount(requested: number): number {
  return requested > 0 ? requested : Math.max(1, availableParallelism());
}

/**
 * A scoring pool. With one worker everything runs on the main thread; with more, worker threads score
 * chunks of users in parallel and results come back in input order.
 * @param context - what the scorer needs
 * @param workers - number of threads
 */
export async function createPool(context: ScoringContext, workers: number): Promise<ScoringPool> {
  let localScorer: Promise<Scorer> | null = null;
  const loadLocal = () => {
    localScorer ??= createScorer(context);
    return localScorer;
  };
  let threads: { workers: Worker[]; catalogSize: number } | null = null;
  const runLocally = async (
    command: Command,
    users: readonly [string, string[]][],
    onProgress: (done: number) => void,
    onResult: ResultSink,
  ) => {
    const local = await loadLocal();
    const guard = heapGuard(HEAP_SLACK_BYTES);
    for (const [userId, jsons] of users) {
      guard();
      const events = parseEvents(jsons);
      await onResult(
        command === "recommend"
          ? await local.recommend(userId, events)
          : command === "usermodel"
            ? await local.userModel(userId, events)
            : await local.evaluate(userId, events),
      );
      onProgress(1);
    }
  };
  return {
    async catalogSize() {
      return threads ? threads.catalogSize : (await loadLocal()).catalogSize;
    },
    async run(command, users, onProgress, onResult) {
      if (workers <= 1 || users.length < MIN_USERS_FOR_THREADS)
        return runLocally(command, users, onProgress, onResult);
      threads ??= await startThreads(context, workers);
      return runOnThreads(threads.workers, command, users, onProgress, onResult);
    },
    async close() {
      if (threads) await Promise.all(threads.workers.map((t) => t.terminate()));
    },
  };
}

/** Below this many users a pass is scored on the main thread: starting threads would cost more. */
const MIN_USERS_FOR_THREADS = 64;

async function startThreads(
  context: ScoringContext,
  count: number,
): Promise<{ workers: Worker[]; catalogSize: number }> {
  let catalogSize = 0;
  const workers = await Promise.all(
    Array.from({ length: count }, async () => {
      // Built: the compiled worker beside this file; from sources: the bootstrap that loads it through tsx.
      const built = import.meta.url.endsWith(".js");
      const worker = built
        ? new Worker(new URL("./worker.js", import.meta.url), { workerData: context })
        : new Worker(new URL("./worker-bootstrap.mjs", import.meta.url), {
            workerData: context,
            execArgv: ["--conditions=@recsys/source"],
          });
      await new Promise<void>((resolve, reject) => {
        worker.once("error", reject);
        worker.once("message", (ready: { catalogSize: number } | { loadError: string }) => {
          if ("loadError" in ready) {
            reject(new CliError(ready.loadError));
            return;
          }
          catalogSize = ready.catalogSize;
          resolve();
        });
      });
      return worker;
    }),
  );
  return { workers, catalogSize };
}

async function runOnThreads(
  threads: readonly Worker[],
  command: Command,
  users: readonly [string, string[]][],
  onProgress: (done: number) => void,
  onResult: ResultSink,
): Promise<void> {
  const chunkCount = Math.ceil(users.length / CHUNK);
  // Chunks sent but not yet handed on are bounded: a thread that would exceed the window waits (parked)
  // until earlier chunks have been consumed, so a slow chunk or a slow consumer cannot pile results up.
  const window = threads.length * 2;
  const waiting = new Map<number, unknown[]>();
  const parked: (() => void)[] = [];
  let emitted = 0;
  let next = 0;
  let drained: Promise<void> = Promise.resolve();
  const drain = async () => {
    for (let ready = waiting.get(emitted); ready; ready = waiting.get(emitted)) {
      waiting.delete(emitted);
      emitted += 1;
      for (const result of ready) await onResult(result);
    }
    while (parked.length > 0 && next - emitted < window) parked.shift()!();
  };
  await Promise.all(
    threads.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const send = () => {
            if (next >= chunkCount) {
              worker.off("message", onMessage);
              resolve();
              return;
            }
            if (next - emitted >= window) {
              parked.push(send);
              return;
            }
            const id = next++;
            const chunk = users.slice(id * CHUNK, (id + 1) * CHUNK);
            worker.postMessage({ id, command, users: chunk } satisfies WorkerRequest);
          };
          const onMessage = (reply: WorkerReply) => {
            if ("error" in reply) {
              worker.off("message", onMessage);
              reject(new Error(reply.error));
            } else if ("progress" in reply) onProgress(reply.progress);
            else {
              waiting.set(reply.id, reply.results);
              drained = drained.then(drain);
              drained.then(send, (error: unknown) => {
                worker.off("message", onMessage);
                reject(error);
              });
            }
          };
          worker.on("message", onMessage);
          send();
        }),
    ),
  );
  await drained;
}
