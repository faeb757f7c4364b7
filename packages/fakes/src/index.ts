export {
  BB_NOW,
  BB_POINTS,
  createBBContentStore,
  type RudderstackTrack,
  rudderstackViews,
  viewEvents,
} from "./bb-fixtures.js";
export {
  type CatalogPoint,
  contentsOf,
  parseCatalog,
  readCatalogFile,
  readCatalogWithIndex,
  serializeCatalog,
  toCatalogPoint,
} from "./catalog.js";
export {
  createEmbeddedStores,
  createEmbeddedStoresFromFile,
  type EmbeddedOptions,
  type EmbeddedStores,
} from "./embedded.js";
export {
  type GenerateEventsOptions,
  type GenerateOptions,
  generateCatalog,
  generateEvents,
} from "./generate.js";
export { InMemoryActivityStore } from "./in-memory-activity.js";
export {
  ANN_THRESHOLD,
  InMemoryContentStore,
  type InMemoryContentStoreOptions,
} from "./in-memory-content-store.js";
export { InMemoryEventBuffer, type InMemoryEventBufferOptions } from "./in-memory-event-buffer.js";
export {
  InMemoryFeedbackStore,
  type InMemoryFeedbackStoreOptions,
  InMemoryServedLog,
  type InMemoryServedLogOptions,
} from "./in-memory-feedback.js";
export { InMemorySettingsStore } from "./in-memory-settings.js";
export { InMemoryUserModelStore } from "./in-memory-user-model-store.js";
export {
  isPackedCatalog,
  openPackedContentStore,
  PACKED_CATALOG_FORMAT,
  type PackOptions,
  readPackedCatalog,
  writePackedCatalog,
} from "./packed-catalog.js";
export {
  type BootstrapTenant,
  FileTenantStore,
  InMemoryTenantStore,
  parseTenantBootstrap,
} from "./tenant-stores.js";
export type { VectorFile } from "./vector-file.js";
