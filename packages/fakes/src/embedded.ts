import type { RandomSource } from "@recsys/core";
import { BB_POINTS } from "./bb-fixtures.js";
import { type CatalogPoint, readCatalogWithIndex } from "./catalog.js";
import { InMemoryContentStore, type InMemoryContentStoreOptions } from "./in-memory-content-store.js";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";
import { isPackedCatalog, openPackedContentStore } from "./packed-catalog.js";

/** Options of {@link createEmbeddedStores}. */
export interface EmbeddedOptions {
  /** Catalogue points; default: the BB dev fixtures. */
  readonly catalog?: readonly CatalogPoint[] | undefined;
  /** Event window in days (buffer trimming). */
  readonly windowDays?: number | undefined;
  /** Sampling mode of the content store. */
  readonly sampling?: "random" | "ascending" | undefined;
  /** Randomness of the content store's sampling. */
  readonly random?: RandomSource | undefined;
  /** The clock of buffer trimming (default `Date.now`). */
  readonly clock?: (() => number) | undefined;
  /** From how many items the vector search is approximate (default 50,000; see `InMemoryContentStore`). */
  readonly annThreshold?: number | undefined;
  /** A saved approximate index of the catalogue (see `InMemoryContentStoreOptions.annIndexFile`). */
  readonly annIndexFile?: string | undefined;
  /**
   * Where a packed catalogue's vectors are kept under the approximate search (`createEmbeddedStoresFromFile`):
   * `file` (default: read from its `vectors.f32` as requests need them, see `openPackedContentStore`) or
   * `memory` (read at start and held: faster searches for about the raw vector bytes more memory).
   */
  readonly vectors?: "file" | "memory" | undefined;
}

/** The embedded default: every store in memory. */
export interface EmbeddedStores {
  readonly contentStore: InMemoryContentStore;
  readonly eventBuffer: InMemoryEventBuffer;
  readonly modelStore: InMemoryUserModelStore;
}

/**
 * The stores that run recsys with no infrastructure: the catalogue in memory (the BB dev fixtures unless
 * one is given), an in-memory event buffer and model store.
 * @param options - catalogue, window, sampling
 */
export function createEmbeddedStores(options: EmbeddedOptions = {}): EmbeddedStores {
  return storesAround(
    InMemoryContentStore.fromPoints(options.catalog ?? BB_POINTS, contentStoreOptions(options)),
    options,
  );
}

function contentStoreOptions(options: EmbeddedOptions): InMemoryContentStoreOptions {
  return {
    ...(options.sampling ? { sampling: options.sampling } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.annThreshold === undefined ? {} : { annThreshold: options.annThreshold }),
    ...(options.annIndexFile === undefined ? {} : { annIndexFile: options.annIndexFile }),
  };
}

/** The embedded event buffer and model store beside a content store. */
function storesAround(contentStore: InMemoryContentStore, options: EmbeddedOptions): EmbeddedStores {
  return {
    contentStore,
    eventBuffer: new InMemoryEventBuffer({
      ...(options.windowDays === undefined ? {} : { windowDays: options.windowDays }),
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    modelStore: new InMemoryUserModelStore(),
  };
}

/**
 * Like {@link createEmbeddedStores}, reading the catalogue from a file when a path is given. A packed
 * catalogue's saved approximate index is used instead of building one, and with the approximate search its
 * vectors stay in its `vectors.f32` (see {@link openPackedContentStore}).
 * @param path - a catalogue file (JSON Lines or a JSON array) or packed directory, or undefined for the BB
 *   dev fixtures
 * @param options - window, sampling
 */
export async function createEmbeddedStoresFromFile(
  path: string | undefined,
  options: Omit<EmbeddedOptions, "catalog"> = {},
): Promise<EmbeddedStores> {
  if (path && options.vectors !== "memory" && (await isPackedCatalog(path)))
    return storesAround(await openPackedContentStore(path, contentStoreOptions(options)), options);
  const read = path ? await readCatalogWithIndex(path) : null;
  return createEmbeddedStores({
    ...options,
    catalog: read?.points,
    ...(read?.annIndexFile ? { annIndexFile: read.annIndexFile } : {}),
  });
}
