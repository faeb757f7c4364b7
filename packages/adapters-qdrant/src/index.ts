export { createQdrantClient, type QdrantClientOptions } from "./client.js";
export {
  type EnsureResult,
  ensureCollection,
  type ImportOptions,
  type ImportPoint,
  importCatalog,
  PAYLOAD_INDEXES,
  qdrantPayload,
} from "./collection.js";
export {
  DEFAULT_COLLECTION,
  QDRANT_ENV_VARIABLES,
  type QdrantFromEnv,
  type QdrantFromEnvOptions,
  qdrantContentStoreFromEnv,
} from "./env.js";
export { ITEM_ID_FIELD, isNativePointId, itemIdOf, nameBasedUuid, type PointId, toPointId } from "./ids.js";
export { QdrantContentStore, type QdrantContentStoreOptions, vectorParams } from "./qdrant-content-store.js";
