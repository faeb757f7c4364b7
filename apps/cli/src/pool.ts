import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CliError } from "./errors.js";
import { parseEvents } from "./events-file.js";
import { createScorer, type Scorer, type ScoringContext } from "./scoring.js";
import type { Command, WorkerReply, WorkerRequest } from "./worker.js";

/** Scores users on the main thread or on worker threads, keeping input order. */
export interface ScoringPool {
  /** Number of catalogue items (from whichever scorer has loaded the catalogue). */
  catalogSize(): Promise<number>;
  run(
    command: Command,
    users: readonly [string, string[]][],
    onProgress: (done: number) => void,
  ): Promise<unknown[]>;
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
  ) => {
    const local = await loadLocal();
    const out: unknown[] = [];
    for (const [userId, jsons] of users) {
      const events = parseEvents(jsons);
      out.push(
        command === "recommend"
          ? await local.recommend(userId, events)
          : command === "usermodel"
            ? await local.userModel(userId, events)
            : await local.evaluate(userId, events),
      );
      onProgress(1);
    }
    return out;
  };
  return {
    async catalogSize() {
      return threads ? threads.catalogSize : (await loadLocal()).catalogSize;
    },
    async run(command, users, onProgress) {
      if (workers <= 1 || users.length < MIN_USERS_FOR_THREADS) return runLocally(command, users, onProgress);
      threads ??= await startThreads(context, workers);
      return runOnThreads(threads.workers, command, users, onProgress);
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
      const worker = new Worker(new URL("./worker-bootstrap.mjs", import.meta.url), {
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
): Promise<unknown[]> {
  const chunks: (readonly [string, string[]][])[] = [];
  for (let i = 0; i < users.length; i += CHUNK) chunks.push(users.slice(i, i + CHUNK));
  const results: unknown[][] = new Array(chunks.length);
  let next = 0;
  await Promise.all(
    threads.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const send = () => {
            if (next >= chunks.length) {
              worker.off("message", onMessage);
              resolve();
              return;
            }
            const id = next++;
            worker.postMessage({ id, command, users: chunks[id]! } satisfies WorkerRequest);
          };
          const onMessage = (reply: WorkerReply) => {
            if ("error" in reply) {
              worker.off("message", onMessage);
              reject(new Error(reply.error));
            } else if ("progress" in reply) onProgress(reply.progress);
            else {
              results[reply.id] = reply.results;
              send();
            }
          };
          worker.on("message", onMessage);
          send();
        }),
    ),
  );
  return results.flat();
}
