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
export { fromPointId, isPointId, type PointId, toPointId } from "./ids.js";
export { QdrantContentStore, type QdrantContentStoreOptions, vectorParams } from "./qdrant-content-store.js";
