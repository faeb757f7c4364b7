// A scoring worker thread: loads the catalogue once, then scores the users it is sent.
import { parentPort, workerData } from "node:worker_threads";
import { parseEvents } from "./events-file.js";
import { HEAP_SLACK_BYTES, heapGuard } from "./heap.js";
import { createScorer, type Scorer, type ScoringContext } from "./scoring.js";

export type Command = "recommend" | "usermodel" | "eval";
export type WorkerRequest = {
  readonly id: number;
  readonly command: Command;
  readonly users: readonly [string, string[]][];
};
export type WorkerReply =
  | { readonly id: number; readonly results: unknown[] }
  | { readonly progress: number }
  | { readonly error: string };

const context = workerData as ScoringContext;
let scorer: Scorer;
try {
  scorer = await createScorer(context);
} catch (error) {
  parentPort!.postMessage({ loadError: error instanceof Error ? error.message : String(error) });
  throw error;
}
const guard = heapGuard(HEAP_SLACK_BYTES);
parentPort!.on("message", async (request: WorkerRequest) => {
  try {
    const results: unknown[] = [];
    for (const [userId, jsons] of request.users) {
      results.push(await runOne(request.command, userId, jsons));
      parentPort!.postMessage({ progress: 1 } satisfies WorkerReply);
    }
    parentPort!.postMessage({ id: request.id, results } satisfies WorkerReply);
    guard();
  } catch (error) {
    parentPort!.postMessage({
      error: error instanceof Error ? error.message : String(error),
    } satisfies WorkerReply);
  }
});
parentPort!.postMessage({ catalogSize: scorer.catalogSize });

function runOne(command: Command, userId: string, jsons: string[]) {
  const events = parseEvents(jsons);
  if (command === "recommend") return scorer.recommend(userId, events);
  if (command === "usermodel") return scorer.userModel(userId, events);
  return scorer.evaluate(userId, events);
}
