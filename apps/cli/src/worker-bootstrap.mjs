// Entry of a scoring worker thread: enable TypeScript (tsx) in this thread, then load the worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
