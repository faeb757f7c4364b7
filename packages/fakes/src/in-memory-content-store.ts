import type { RandomSource } from "@recsys/core";
import {
  BatchDots,
  type DotEstimate,
  DotMatrix,
  haversineM,
  keepBest,
  norm,
  normalized,
  normalizeInto,
} from "@recsys/core/scoring";
import { compareIds, normalizeFilterValue, normalizeKey } from "@recsys/core/taxonomy";
import {
  type Content,
  type ContentHit,
  type ContentQuery,
  type ContentStore,
  contentFromPayload,
  freezeDeep,
  InvalidArgumentError,
  isFrozenSet,
  LruMap,
  type Tag,
  type Vector,
  type VectorPrecision,
} from "@recsys/ports";
import { ANN_THRESHOLD, type AnnIndex, buildAnnIndex } from "./ann.js";
import type { CatalogPoint } from "./catalog.js";
import { UnitRowReader, type VectorFile } from "./vector-file.js";

/** Options of {@link InMemoryContentStore}. */
export interface InMemoryContentStoreOptions {
  /**
   * `random` (default) samples uniformly; `ascending` returns the first ids in catalogue id order, the
   * reference's deterministic sample, for tests and parity runs.
   */
  readonly sampling?: "random" | "ascending";
  /** Randomness for `random` sampling (default `Math.random`). */
  readonly random?: RandomSource;
  /**
   * From how many items with vectors the vector search goes through an approximate index (usearch HNSW,
   * when installed) instead of the exact scan (default 50,000; `Infinity`: always exact). Below it every
   * answer is exact, so parity holds.
   */
  readonly annThreshold?: number;
  /**
   * A saved approximate index of these items' vectors (`index.usearch` of a packed catalogue, written by
   * `recsys catalog pack`): memory-mapped instead of built when the search is approximate, so loading
   * takes a moment and every process using the file answers alike.
   */
  readonly annIndexFile?: string;
  /**
   * How many frozen query vectors or weights keep their answers (the most recently used; each keeps at
   * most four answers of up to a pool's hits). Default 10,000 (about two keys per warm user: its taste and
   * tag weights, three with the distractor's negated taste); 0 keeps none.
   */
  readonly keptAnswers?: number;
  /**
   * The items' vectors are the rows of this file, row `i` the `i`-th item's (`vectors.f32` of a packed
   * catalogue; the `vectors` argument must then be empty). When the search is approximate the vectors are
   * not held in memory: the rows a request needs (the index's candidates, the hits) are read from the file
   * (the page cache keeps it warm), and resident memory is the index, the contents and their postings.
   * When it is exact the file is read once into the scan's matrix.
   */
  readonly vectorFile?: VectorFile;
}

/** The default of {@link InMemoryContentStoreOptions.annThreshold}. */
export { ANN_THRESHOLD };

/**
 * Candidates taken from the approximate index per query at least (then re-scored exactly); the search's
 * beam widens to them. 320: recall@30 0.9998 on a 100,000 × 384 catalogue, against 0.9877 at 150, for
 * about 0.4 ms more per search (BENCHMARKS.md).
 */
const ANN_CANDIDATES = 320;

/**
 * Of the index's candidates (in its own order, by quantised similarity), how many per wanted hit are
 * re-scored exactly: the wide search finds the neighbourhood, the first few of it hold the true best. On a
 * 100,000 × 384 catalogue the first 2 × `limit` already gave the same recall@30 as all 320 (BENCHMARKS.md);
 * 3 × is kept for a margin. Each re-scored row is one read when the vectors stay in their file.
 */
const RESCORED_PER_HIT = 3;

interface Scan {
  readonly unit: Float32Array;
  readonly estimate: DotEstimate;
}

/**
 * How many recent exact scans the store keeps for reuse: enough that a request's −taste search, one round
 * trip after its taste search, still finds it while other requests' searches run in between.
 */
const RECENT_SCANS = 16;

/** The items carrying one tag key and their weights for it (typed arrays: a large catalogue has millions). */
interface Postings {
  readonly indexes: Int32Array;
  readonly weights: Float64Array;
}

/**
 * An in-memory {@link ContentStore}: exact cosine search over a contiguous Float32Array of unit vectors (from
 * `annThreshold` items an HNSW index whose candidates are re-scored exactly, the vectors then optionally left
 * in their file: `vectorFile`), store-side exclusion, tag recall ranked by weighted overlap, filter and geo
 * constraints, and sampling. Fast enough to serve a 10,000-item catalogue as the embedded default. Counts `query` round trips in
 * {@link InMemoryContentStore.roundTrips}. The items it is given are frozen (with their tags): they are handed
 * out to every request as they are, and what serving derives from them is computed once per item. A vector or
 * tag query made of frozen parts (a frozen model's taste, weights and seen set) is answered once and its
 * answer kept beside them.
 */
export class InMemoryContentStore implements ContentStore {
  readonly #ids: string[] = [];
  readonly #position = new Map<string, number>();
  readonly #contents: Content[] = [];
  /** Each item's unit vector (a view into `#units`), or null; empty when the vectors are read from a file. */
  readonly #vectors: (Float32Array | null)[] = [];
  /**
   * Every unit vector, in the exact-scan kernel's matrix (WebAssembly SIMD, docs/behaviour.md §7.2); null
   * when the search is approximate and the vectors are read from a file.
   */
  readonly #units: DotMatrix | null;
  /** The vectors' file, when they are read from it as needed (`vectorFile`, approximate search). */
  readonly #file: UnitRowReader | null;
  /** How many items have no vector (rows of zeros in `#units`). */
  readonly #withoutVectors: number;
  readonly #dimension: number | null;
  readonly #tagIndex = new Map<string, Postings>();
  readonly #valueIndex = new Map<string, Int32Array>();
  readonly #idOrder: number[];
  /** Each item's position in id order (`compareIds`), to break score ties without comparing strings. */
  readonly #idRank: Int32Array;
  readonly #sampling: "random" | "ascending";
  readonly #random: RandomSource;
  readonly #ann: AnnIndex | null;
  /** The approximate index's candidates, re-scored exactly. */
  readonly #rescore = new BatchDots();
  /** The latest exact scans, newest first (see `#scan`). */
  readonly #recentScans: Scan[] = [];
  /** Tag queries' per-item sums (made at the first tag query). */
  #tagSums: TagSums | null = null;
  /**
   * Answers of vector and tag queries, by their frozen query vectors or weights (see `#remembered`), in
   * order of use, at most `#keptAnswers` keys.
   */
  readonly #answers = new LruMap<
    object,
    {
      limit: number;
      exclude: ReadonlySet<string> | undefined;
      precision: VectorPrecision;
      hits: readonly ContentHit[];
      /**
       * With the vectors in their file: the hits' rows, to read them again without looking their ids up
       * in the catalogue's id map (at 100,000 items each look-up is a cache miss under load).
       */
      rows: readonly number[] | null;
    }[]
  >();
  readonly #keptAnswers: number;
  /** Number of `query` calls served (one per round trip). */
  roundTrips = 0;
  /**
   * Number of exact searches that read the whole catalogue (its int8 copy from 512 items, else every
   * vector; a reused search is not counted again).
   */
  exactScans = 0;

  /**
   * @param contents - the catalogue items
   * @param vectors - item id → embedding (items without one are never returned by vector search)
   * @param options - sampling mode and randomness
   * @throws InvalidArgumentError on duplicate ids or vectors of different dimensions
   */
  constructor(
    contents: Iterable<Content>,
    vectors: ReadonlyMap<string, ArrayLike<number>> = new Map(),
    options: InMemoryContentStoreOptions = {},
  ) {
    this.#sampling = options.sampling ?? "random";
    this.#random = options.random ?? Math.random;
    this.#keptAnswers = options.keptAnswers ?? 10_000;
    const vectorFile = options.vectorFile;
    if (vectorFile && [...vectors.values()].some((vector) => vector.length > 0))
      throw new InvalidArgumentError("vectors are given both in a map and in a vector file", "vectorFile");
    let dimension: number | null = null;
    // The given vectors, copied straight into the kernel's matrix below (no intermediate copy: a large
    // catalogue's vectors are held once).
    const given: (ArrayLike<number> | null)[] = [];
    const tagPostings = new Map<string, { indexes: number[]; weights: number[] }>();
    const valueItems = new Map<string, number[]>();
    for (const content of contents) {
      if (this.#position.has(content.id))
        throw new InvalidArgumentError(`duplicate item id ${content.id}`, "id");
      const index = this.#ids.length;
      this.#ids.push(content.id);
      this.#position.set(content.id, index);
      this.#contents.push(freezeDeep(content));
      const vector = vectors.get(content.id);
      if (vector && vector.length > 0) {
        dimension ??= vector.length;
        if (vector.length !== dimension) {
          throw new InvalidArgumentError(
            `item ${content.id} has a ${vector.length}-dimension vector, the catalogue ${dimension}`,
            "vector",
          );
        }
        given.push(vector);
      } else given.push(null);
      // (normalised below, once the dimension is known)
      const keys = new Map<string, number>();
      for (const tag of content.tags) keys.set(normalizeKey(`${tag.facet}:${tag.label}`), tag.weight);
      for (const [key, weight] of keys) {
        const postings = tagPostings.get(key) ?? { indexes: [], weights: [] };
        tagPostings.set(key, postings);
        postings.indexes.push(index);
        postings.weights.push(weight);
      }
      for (const value of new Set(content.tags.map((tag) => normalizeFilterValue(tag.label)))) {
        push(valueItems, value, index);
      }
    }
    for (const [key, { indexes, weights }] of tagPostings)
      this.#tagIndex.set(key, { indexes: Int32Array.from(indexes), weights: Float64Array.from(weights) });
    for (const [value, indexes] of valueItems) this.#valueIndex.set(value, Int32Array.from(indexes));
    const count = this.#ids.length;
    const file = vectorFile && count > 0 ? new UnitRowReader(vectorFile, count, this) : null;
    if (file) dimension = vectorFile!.dimension;
    this.#dimension = dimension;
    const d = dimension ?? 0;
    const withVectors = file
      ? Array.from({ length: count }, (_, index) => index)
      : given.flatMap((vector, index) => (vector ? [index] : []));
    this.#withoutVectors = count - withVectors.length;
    const approximate = withVectors.length >= (options.annThreshold ?? ANN_THRESHOLD);
    // Vectors read from a file stay there when the search is approximate: the index (built from the file
    // read once, or the saved one mapped) and the rows read per request replace the matrix.
    let ann =
      file && approximate ? buildAnnIndex(() => file.readAll(), withVectors, d, options.annIndexFile) : null;
    if (ann) {
      this.#units = null;
      this.#file = file;
    } else {
      // Vectors are kept at unit length, as Qdrant keeps them in a cosine collection, so both stores hand
      // out the same vectors (docs/behaviour.md §7.2). Hits and `getVectors` return views into this one
      // buffer: callers must not write to them.
      this.#units = new DotMatrix(count, d);
      const data = this.#units.data;
      if (file) {
        file.readAll(data);
        file.close();
      }
      given.forEach((vector, index) => {
        const offset = index * d;
        if (vector) normalizeInto(vector, data, offset, norm(vector));
        this.#vectors.push(vector || file ? data.subarray(offset, offset + d) : null);
      });
      if (approximate && !file) ann = buildAnnIndex(() => data, withVectors, d, options.annIndexFile);
      // The exact search's int8 copy of the vectors, made now rather than at the first request's search.
      else this.#units.prepare();
      this.#file = null;
    }
    this.#ann = ann;
    this.#idOrder = this.#ids.map((_, i) => i).sort((a, b) => compareIds(this.#ids[a]!, this.#ids[b]!));
    this.#idRank = new Int32Array(this.#ids.length);
    this.#idOrder.forEach((index, rank) => {
      this.#idRank[index] = rank;
    });
  }

  /**
   * A store over catalogue points (docs/behaviour.md §7.2 format), payloads read with `contentFromPayload`.
   * @param points - the points
   * @param options - sampling mode and randomness
   */
  static fromPoints(
    points: readonly CatalogPoint[],
    options: InMemoryContentStoreOptions = {},
  ): InMemoryContentStore {
    const share = tagSharer();
    const contents = points.map((p) => share(contentFromPayload(p.id, p.payload)));
    return new InMemoryContentStore(contents, new Map(points.map((p) => [p.id, p.vector])), options);
  }

  /** Number of items. */
  get size(): number {
    return this.#ids.length;
  }

  async query(queries: readonly ContentQuery[]): Promise<ContentHit[][]> {
    this.roundTrips += 1;
    return queries.map((query) => this.#run(query));
  }

  async get(ids: readonly string[]): Promise<Map<string, Content>> {
    const out = new Map<string, Content>();
    for (const id of ids) {
      const index = this.#position.get(id);
      if (index !== undefined) out.set(id, this.#contents[index]!);
    }
    return out;
  }

  async getVectors(ids: readonly string[]): Promise<Map<string, Vector>> {
    const out = new Map<string, Vector>();
    const known = this.#indexesOf(ids);
    // Items asked for by id (the liked items of a model being built): their rows are kept.
    this.#vectorsOf(known, true).forEach((vector, k) => {
      if (vector) out.set(this.#ids[known[k]!]!, vector);
    });
    return out;
  }

  /** The positions of the known ids among them, in their order. */
  #indexesOf(ids: readonly string[]): number[] {
    return ids.flatMap((id) => {
      const index = this.#position.get(id);
      return index === undefined ? [] : [index];
    });
  }

  async dimension(): Promise<number | null> {
    return this.#dimension;
  }

  async ping(): Promise<void> {}

  /**
   * The answer of a vector or tag query, kept beside its frozen query vector (or weights) when its
   * exclusion set is frozen too (a frozen model's: `freezeSet`): the catalogue never changes, so the same
   * query has the same answer, and a warm user's next request skips the search. Anything not frozen is
   * searched every time.
   */
  #remembered(
    key: object,
    limit: number,
    exclude: ReadonlySet<string> | undefined,
    precision: VectorPrecision,
    search: () => ContentHit[],
  ): ContentHit[] {
    const frozen = Object.isFrozen(key) && (exclude === undefined || isFrozenSet(exclude));
    if (!frozen || this.#keptAnswers === 0) return search();
    let answers = this.#answers.get(key); // now the most recently used
    if (answers === undefined) {
      answers = [];
      this.#answers.set(key, answers);
    }
    const known = answers.find(
      (answer) => answer.limit === limit && answer.exclude === exclude && answer.precision === precision,
    );
    if (known) return known.rows ? this.#reread(known.hits, known.rows) : (known.hits as ContentHit[]);
    const hits = search();
    for (const hit of hits) Object.freeze(hit);
    Object.freeze(hits);
    // A few answers per key (different limits or exclusions); the oldest goes first. When the vectors stay
    // in their file, an answer is kept without them (they are read again when it is used): a kept vector
    // would be a copy, and thousands of answers would hold the catalogue again.
    if (answers.length >= 4) answers.shift();
    const kept = this.#file
      ? Object.freeze(hits.map((hit) => Object.freeze({ ...hit, vector: null })))
      : hits;
    const rows = this.#file ? hits.map((hit) => this.#position.get(hit.id)!) : null;
    answers.push({ limit, exclude, precision, hits: kept, rows });
    while (this.#answers.size > this.#keptAnswers) this.#answers.shift();
    return hits;
  }

  /**
   * Kept hits again, their vectors read from the vectors' file and kept by its reader: an answer given a
   * second time is likely to be given again (a warm user's next request), and its rows are then the same
   * arrays, so the serve path does not derive their norms and unit copies again.
   */
  #reread(hits: readonly ContentHit[], rows: readonly number[]): ContentHit[] {
    const vectors = this.#vectorsOf(rows, true);
    return hits.map((hit, k) => this.#hit(rows[k]!, hit.score, vectors[k]!));
  }

  #hit(index: number, score: number, vector: Float32Array | null): ContentHit {
    return { id: this.#ids[index]!, score, content: this.#contents[index]!, vector };
  }

  /**
   * Items' unit vectors: views into the matrix, or rows of the vectors' file (rows kept by the reader are
   * the arrays handed out before; with `keep` the rows read now are kept too).
   */
  #vectorsOf(indexes: readonly number[], keep = false): (Float32Array | null)[] {
    if (!this.#file) return indexes.map((index) => this.#vectors[index] ?? null);
    return this.#file.rows(indexes, keep);
  }

  /** Hits of items by index and score, with their vectors. */
  #hits(entries: readonly (readonly [number, number])[], keep = false): ContentHit[] {
    const vectors = this.#vectorsOf(
      entries.map(([index]) => index),
      keep,
    );
    return entries.map(([index, score], k) => this.#hit(index, score, vectors[k]!));
  }

  #excluded(index: number, exclude: ReadonlySet<string> | undefined): boolean {
    return exclude?.has(this.#ids[index]!) === true;
  }

  #run(query: ContentQuery): ContentHit[] {
    switch (query.kind) {
      case "vector": {
        const precision = query.precision ?? "high";
        return this.#remembered(query.vector, query.limit, query.exclude, precision, () =>
          this.#nearest(query.vector, query.limit, query.exclude, precision),
        );
      }
      case "tags":
        return this.#remembered(query.weights, query.limit, query.exclude, "high", () =>
          this.#tags(query.weights, query.limit, query.exclude),
        );
      case "filter":
        return this.#filter(query.value, query.geo, query.limit, query.exclude);
      case "sample":
        return this.#sample(query.limit, query.exclude);
      case "ids":
        // Items asked for by id (a user's liked items, every request of theirs): their rows are kept.
        return this.#hits(
          this.#indexesOf(query.ids).map((index) => [index, 0] as const),
          true,
        );
    }
  }

  #nearest(
    vector: ArrayLike<number>,
    limit: number,
    exclude: ReadonlySet<string> | undefined,
    precision: VectorPrecision,
  ): ContentHit[] {
    const d = this.#dimension;
    if (d === null || vector.length !== d || limit <= 0) return [];
    if (this.#ann) return this.#approximate(normalized(vector), limit, exclude, precision);
    const { estimate, sign } = this.#scan(normalized(vector));
    const vectors = this.#vectors;
    // Refused: the items without a vector and the excluded ones (at most the exclusion set's size).
    const refusedAtMost = this.#withoutVectors + (exclude?.size ?? 0);
    const accept = (index: number) => vectors[index] !== null && !this.#excluded(index, exclude);
    return this.#hits(this.#units!.nearest(estimate, limit, accept, refusedAtMost, sign));
  }

  /**
   * The nearest items through the approximate index: its candidates re-scored exactly with the kernel's
   * arithmetic (so a found item scores as the exact scan would score it), excluded ones dropped, asking
   * for more candidates while fewer than `limit` remain.
   */
  #approximate(
    unit: Float32Array,
    limit: number,
    exclude: ReadonlySet<string> | undefined,
    precision: VectorPrecision,
  ): ContentHit[] {
    const d = this.#dimension!;
    // A low-precision query asks for just its hits (and the excluded): the search keeps to the index's own
    // beam instead of widening to hundreds of candidates.
    let k = (precision === "low" ? limit : Math.max(ANN_CANDIDATES, 5 * limit)) + (exclude?.size ?? 0);
    for (;;) {
      const found = this.#ann!.search(unit, k).filter((index) => !this.#excluded(index, exclude));
      const rescored = found.slice(0, RESCORED_PER_HIT * limit);
      const vectors = this.#vectorsOf(rescored);
      // Re-scored in one batch-kernel call (the same bits as the exact scan's kernel).
      this.#rescore.load(vectors, d);
      const scores = this.#rescore.scan(unit);
      const best = rescored
        .map((index, i) => ({ index, i, score: scores[i]! }))
        .sort((a, b) => b.score - a.score || a.index - b.index)
        .slice(0, limit);
      if (best.length >= limit || found.length < k)
        return best.map((b) => this.#hit(b.index, b.score, vectors[b.i]!));
      k *= 2;
    }
  }

  /** Where the vectors are: `memory` (the scan's matrix) or `file` (read from `vectorFile` as needed). */
  get vectorStorage(): "memory" | "file" {
    return this.#file ? "file" : "memory";
  }

  /** Which vector search this store runs: `exact` (the kernel) or the approximate index's description. */
  get vectorSearch(): string {
    return this.#ann?.description ?? "exact";
  }

  /**
   * A unit query's estimated cosines with every item (`DotMatrix.estimate`: from the vectors' int8 copy,
   * the items that can rank then computed exactly). A query equal to one of the last {@link RECENT_SCANS}
   * scanned, or its exact negation (the distractor's −taste search, a round trip after the taste's),
   * reuses that scan with the sign flipped: the same bits a new one would give.
   */
  #scan(unit: Float32Array): { estimate: DotEstimate; sign: 1 | -1 } {
    for (const scan of this.#recentScans) {
      const sign = sameUpToSign(scan.unit, unit);
      if (sign !== 0) return { estimate: scan.estimate, sign };
    }
    const estimate = this.#units!.estimate(unit);
    this.exactScans += 1;
    this.#recentScans.unshift({ unit, estimate });
    if (this.#recentScans.length > RECENT_SCANS) this.#recentScans.pop();
    return { estimate, sign: 1 };
  }

  #tags(weights: Readonly<Record<string, number>>, limit: number, exclude: ReadonlySet<string> | undefined) {
    const size = Math.max(0, limit);
    if (size === 0) return [];
    // Each matching item's weighted overlap, summed in the order of the weights and the postings.
    this.#tagSums ??= new TagSums(this.#ids.length);
    const sums = this.#tagSums;
    sums.start();
    for (const [key, weight] of Object.entries(weights)) {
      const postings = this.#tagIndex.get(normalizeKey(key));
      if (!postings) continue;
      const { indexes, weights: itemWeights } = postings;
      for (let p = 0; p < indexes.length; p++) sums.add(indexes[p]!, weight * itemWeights[p]!);
    }
    // The best `limit` by score, ties in id order: kept sorted while scanning (the same items, in the same
    // order, as sorting every match, without sorting thousands of matches of a large catalogue). An item is
    // looked up in the excluded set only when it would enter the list.
    const rank = this.#idRank;
    const best: [number, number][] = [];
    const beats = (index: number, score: number, [other, otherScore]: readonly [number, number]) =>
      score > otherScore || (score === otherScore && rank[index]! < rank[other]!);
    const before = (a: readonly [number, number], b: readonly [number, number]) => beats(a[0], a[1], b);
    for (let t = 0; t < sums.count; t++) {
      const index = sums.touched[t]!;
      const score = sums.sums[index]!;
      if (best.length === size && !beats(index, score, best[size - 1]!)) continue;
      if (this.#excluded(index, exclude)) continue;
      keepBest(best, [index, score], size, before);
    }
    return this.#hits(best);
  }

  #filter(
    value: string | undefined,
    geo: { readonly lat: number; readonly lon: number; readonly radiusM: number } | undefined,
    limit: number,
    exclude: ReadonlySet<string> | undefined,
  ): ContentHit[] {
    let indexes =
      value === undefined
        ? this.#idOrder
        : Array.from(this.#valueIndex.get(normalizeFilterValue(value)) ?? []);
    indexes = indexes.filter((index) => !this.#excluded(index, exclude));
    if (!geo) {
      return this.#hits(
        indexes
          .sort((a, b) => compareIds(this.#ids[a]!, this.#ids[b]!))
          .slice(0, Math.max(0, limit))
          .map((index) => [index, 0] as const),
      );
    }
    const near: { index: number; distance: number }[] = [];
    for (const index of indexes) {
      const { lat, lon } = this.#contents[index]!;
      if (lat === null || lon === null) continue;
      const distance = haversineM(geo.lat, geo.lon, lat, lon);
      if (distance <= geo.radiusM) near.push({ index, distance });
    }
    return this.#hits(
      near
        .sort((a, b) => a.distance - b.distance || compareIds(this.#ids[a.index]!, this.#ids[b.index]!))
        .slice(0, Math.max(0, limit))
        .map((n) => [n.index, -n.distance] as const),
    );
  }

  #sample(limit: number, exclude: ReadonlySet<string> | undefined): ContentHit[] {
    if (limit <= 0) return [];
    if (this.#sampling === "ascending") {
      const first: (readonly [number, number])[] = [];
      for (const index of this.#idOrder) {
        if (first.length >= limit) break;
        if (!this.#excluded(index, exclude)) first.push([index, 0]);
      }
      return this.#hits(first);
    }
    const n = this.#ids.length;
    const excludedCount = exclude?.size ?? 0;
    const picked: number[] = [];
    if ((limit + excludedCount) * 4 < n) {
      const taken = new Set<number>();
      while (picked.length < limit) {
        const index = Math.floor(this.#random() * n);
        if (taken.has(index)) continue;
        taken.add(index);
        if (!this.#excluded(index, exclude)) picked.push(index);
      }
    } else {
      const pool = this.#idOrder.filter((index) => !this.#excluded(index, exclude));
      for (let i = 0; i < Math.min(limit, pool.length); i++) {
        const j = i + Math.floor(this.#random() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        picked.push(pool[i]!);
      }
    }
    return this.#hits(picked.map((index) => [index, 0] as const));
  }
}

/**
 * Contents read from a catalogue share their equal tags: the returned function gives a fresh content (one
 * just made by `contentFromPayload`, not yet shared) one frozen tag object per facet, label and weight. A
 * theme carried by a hundred items is then one object instead of a hundred: less than half the heap of a
 * 100,000-item catalogue's contents (BENCHMARKS.md).
 */
export function tagSharer(): (content: Content) => Content {
  const shared = new Map<string, Tag>();
  return (content) => {
    (content as { tags: readonly Tag[] }).tags = content.tags.map((tag) => {
      const weight = Object.is(tag.weight, -0) ? "-0" : String(tag.weight); // (exact: a number's shortest form)
      const key = `${tag.facet}\u0000${tag.label}\u0000${weight}`;
      const one =
        shared.get(key) ?? Object.freeze({ facet: tag.facet, label: tag.label, weight: tag.weight });
      shared.set(key, one);
      return one;
    });
    return content;
  };
}

/**
 * Per-item sums of one tag query, reused from query to query: an item's stamp says whether the current query
 * has touched it, so nothing is cleared between queries and only touched items are visited.
 */
class TagSums {
  readonly sums: Float64Array;
  readonly touched: Int32Array;
  count = 0;
  readonly #stamps: Uint32Array;
  #stamp = 0;

  constructor(items: number) {
    this.sums = new Float64Array(items);
    this.touched = new Int32Array(items);
    this.#stamps = new Uint32Array(items);
  }

  /** Begin a query. */
  start(): void {
    this.count = 0;
    this.#stamp += 1;
    if (this.#stamp === 0xffff_ffff) {
      this.#stamps.fill(0);
      this.#stamp = 1;
    }
  }

  /** Add to an item's sum (its first term added to 0, as a sum from nothing is). */
  add(index: number, term: number): void {
    if (this.#stamps[index] === this.#stamp) {
      this.sums[index]! += term;
      return;
    }
    this.#stamps[index] = this.#stamp;
    this.sums[index] = 0 + term;
    this.touched[this.count++] = index;
  }
}

/**
 * 1 when two vectors of one length hold the same values, −1 when one is the other negated, else 0. Plain
 * loops: a typed array's `every` with a callback took ~20 ns a value (7–9 µs for 384, the loop 0.6 µs).
 */
function sameUpToSign(a: Float32Array, b: Float32Array): 1 | -1 | 0 {
  if (a.length !== b.length) return 0;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i === a.length) return 1;
  i = 0;
  while (i < a.length && a[i] === -b[i]!) i++;
  return i === a.length ? -1 : 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
