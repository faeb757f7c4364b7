import type { QdrantClient } from "@qdrant/js-client-rest";
import type { Environment } from "@recsys/core";

export { QDRANT_ENV_VARIABLES } from "./variables.js";

import { readInteger, readString } from "@recsys/core/config";
import { createQdrantClient } from "./client.js";
import { QdrantContentStore } from "./qdrant-content-store.js";

/** The default collection name. */
export const DEFAULT_COLLECTION = "omeka-items";

/** Options of {@link qdrantContentStoreFromEnv}. */
export interface QdrantFromEnvOptions {
  /** Request timeout when `RECSYS_QDRANT_TIMEOUT_MS` is unset (default 2000 ms; batch jobs pass more). */
  readonly defaultTimeoutMs?: number;
  /** Overrides `QDRANT_API_URL` (e.g. a command-line flag). */
  readonly url?: string | undefined;
  /** Overrides `QDRANT_COLLECTION`. */
  readonly collection?: string | undefined;
}

/** The Qdrant content store made from an environment, with its client. */
export interface QdrantFromEnv {
  /** The content store. */
  readonly store: QdrantContentStore;
  /** The client. */
  readonly client: QdrantClient;
  /** The collection. */
  readonly collection: string;
  /** `qdrant collection C`, for start-up logs. */
  readonly description: string;
}

/**
 * The Qdrant content store configured by the environment, or null when no URL is given:
 * `QDRANT_API_URL`, `QDRANT_API_KEY`, `QDRANT_COLLECTION` (default `omeka-items`) and
 * `RECSYS_QDRANT_TIMEOUT_MS`.
 * @param env - the environment
 * @param options - default timeout, URL and collection overrides
 * @throws ConfigError naming a variable whose value is invalid
 */
export function qdrantContentStoreFromEnv(
  env: Environment,
  options: QdrantFromEnvOptions = {},
): QdrantFromEnv | null {
  const url = options.url?.trim() || readString(env, "QDRANT_API_URL", undefined);
  if (!url) return null;
  const collection = options.collection?.trim() || readString(env, "QDRANT_COLLECTION", DEFAULT_COLLECTION);
  const client = createQdrantClient(url, {
    apiKey: readString(env, "QDRANT_API_KEY", undefined),
    timeoutMs: readInteger(env, "RECSYS_QDRANT_TIMEOUT_MS", options.defaultTimeoutMs ?? 2000, 1, 600_000),
  });
  return {
    store: new QdrantContentStore({ client, collection }),
    client,
    collection,
    description: `qdrant collection ${collection}`,
  };
}
