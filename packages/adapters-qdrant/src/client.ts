import { QdrantClient } from "@qdrant/js-client-rest";

/** Options of {@link createQdrantClient}. */
export interface QdrantClientOptions {
  /** `QDRANT_API_KEY`. */
  readonly apiKey?: string | undefined;
  /** Every request is aborted after this many milliseconds (default 2000). */
  readonly timeoutMs?: number;
}

/**
 * A Qdrant REST client for the request path: a bounded timeout (default 2 s) and no version probe at
 * start-up.
 * @param url - e.g. `http://127.0.0.1:6333`
 * @param options - API key, timeout
 */
export function createQdrantClient(url: string, options: QdrantClientOptions = {}): QdrantClient {
  return new QdrantClient({
    url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    timeout: options.timeoutMs ?? 2000,
    checkCompatibility: false,
  });
}
