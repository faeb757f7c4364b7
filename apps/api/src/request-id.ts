import { randomUUID } from "node:crypto";

/** A new request id: 32 hex digits, like the recommendation ids of the Python service. */
export const newRequestId = (): string => randomUUID().replace(/-/g, "");
