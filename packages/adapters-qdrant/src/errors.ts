import { StoreUnavailableError } from "@recsys/ports";

/**
 * Run a Qdrant call, turning any failure (network error, timeout, HTTP error) into a
 * `StoreUnavailableError` naming the operation (the service answers 503).
 * @param operation - what was attempted
 * @param run - the call
 */
export async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (StoreUnavailableError.isInstance(error)) throw error;
    const status = (error as { status?: number }).status;
    const detail = error instanceof Error ? error.message : String(error);
    const message = status
      ? `${operation} failed with HTTP ${status}: ${detail}`
      : `${operation} failed: ${detail}`;
    throw new StoreUnavailableError("qdrant", message, { cause: error });
  }
}
