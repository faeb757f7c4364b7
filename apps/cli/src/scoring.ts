import {
  createSeededRandom,
  type RandomSource,
  Recommender,
  toRecommendationItems,
  UserModelUpdater,
} from "@recsys/core";
import { aggregateViews } from "@recsys/core/model";
import { cosine } from "@recsys/core/scoring";
import { eventTime } from "@recsys/core/time";
import { InMemoryContentStore, InMemoryUserModelStore, readCatalogWithIndex } from "@recsys/fakes";
import type {
  InteractionEvent,
  RecConfig,
  Recommendation,
  RecommendRequestOptions,
  UserSignals,
} from "@recsys/ports";
import { stableHash } from "./hash.js";

/** What every scoring job needs; plain data, so it can be sent to a worker thread. */
export interface ScoringContext {
  readonly catalogPath: string;
  readonly cfg: RecConfig;
  readonly nowMs: number;
  readonly seed: number;
  readonly sampling: "random" | "ascending";
  /**
   * From how many items the vector search is approximate (HNSW); default: never — offline scoring is exact
   * (each worker would build its own index, unless a packed catalogue holds a saved one, which every worker
   * maps).
   */
  readonly annThreshold?: number;
  /** The recommend options of every list (limit, filter, geo, include_content). */
  readonly options: RecommendRequestOptions;
  readonly k: number;
}

/** One user's result of `recommend`. */
export interface RecommendLine {
  readonly user_id: string;
  readonly strategy: string;
  readonly items: ReturnType<typeof toRecommendationItems>;
  readonly diagnostics: Recommendation["diagnostics"];
}

/** One user's leave-last-positive-out evaluation. */
export interface EvalRecord {
  readonly user_id: string;
  /** 1-based rank of the held-out item in the list, or null when absent. */
  readonly rank: number | null;
  readonly items: readonly string[];
  readonly cold: boolean;
  /** Mean pairwise cosine distance of the list (null with fewer than two vectors). */
  readonly diversity: number | null;
}

/** A loaded scorer: the catalogue in memory and the two orchestrators. */
export interface Scorer {
  readonly catalogSize: number;
  recommend(userId: string, events: readonly InteractionEvent[]): Promise<RecommendLine>;
  userModel(userId: string, events: readonly InteractionEvent[]): Promise<UserSignals>;
  evaluate(userId: string, events: readonly InteractionEvent[]): Promise<EvalRecord | null>;
}

/**
 * Load the catalogue and wire the same brain the service runs: randomness is seeded per user
 * (`seed` and user id), so results do not depend on worker assignment or order.
 * @param context - catalogue, config, clock, seed
 */
export async function createScorer(context: ScoringContext): Promise<Scorer> {
  const { points, annIndexFile } = await readCatalogWithIndex(context.catalogPath);
  // The store keeps its own copy of the vectors: the points are not held after this.
  const catalogSize = points.length;
  let current: RandomSource = createSeededRandom(context.seed);
  const random: RandomSource = () => current();
  const contentStore = InMemoryContentStore.fromPoints(points, {
    sampling: context.sampling,
    random,
    annThreshold: context.annThreshold ?? Number.POSITIVE_INFINITY,
    // Above --ann-threshold, a packed catalogue's saved index is mapped (every worker shares the file and
    // answers as the service does with it) instead of built.
    ...(annIndexFile ? { annIndexFile } : {}),
  });
  const modelStore = new InMemoryUserModelStore();
  const { cfg } = context;
  const updater = new UserModelUpdater({ contentStore, modelStore, cfg });
  const recommender = new Recommender({ contentStore, modelStore, cfg, random });
  const seedFor = (userId: string) => {
    current = createSeededRandom(stableHash(`${context.seed}:${userId}`));
  };
  const build = (userId: string, events: readonly InteractionEvent[], nowMs: number) =>
    updater.build(userId, events, { now: nowMs });

  return {
    catalogSize,
    async userModel(userId, events) {
      return build(userId, events, context.nowMs);
    },
    async recommend(userId, events) {
      const signals = await build(userId, events, context.nowMs);
      seedFor(userId);
      const { include_content: includeContent = true, ...options } = context.options;
      const rec = await recommender.recommendForSignals(signals, options);
      return {
        user_id: userId,
        strategy: rec.strategy,
        items: toRecommendationItems(rec, { includeContent }),
        diagnostics: rec.diagnostics,
      };
    },
    async evaluate(userId, events) {
      const full = await build(userId, events, context.nowMs);
      if (Object.keys(full.positives).length < 2) return null;
      const lastTs = new Map(aggregateViews(events).map((v) => [v.content_id, v.last_ts]));
      let heldOut: string | null = null;
      for (const id of Object.keys(full.positives)) {
        if (
          heldOut === null ||
          lastTs.get(id)! > lastTs.get(heldOut)! ||
          (lastTs.get(id) === lastTs.get(heldOut) && id > heldOut)
        )
          heldOut = id;
      }
      const cutoff = Math.min(...events.filter((e) => e.content_id === heldOut).map((e) => eventTime(e.ts)));
      const before = events.filter((e) => eventTime(e.ts) < cutoff);
      const signals = await build(userId, before, cutoff);
      seedFor(userId);
      const rec = await recommender.recommendForSignals(signals, { limit: context.k });
      const items = rec.items.map((i) => i.content_id);
      const index = items.indexOf(heldOut!);
      const vectors = await contentStore.getVectors(items);
      const list = items.flatMap((id) => (vectors.has(id) ? [vectors.get(id)!] : []));
      let pairs = 0;
      let distance = 0;
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          distance += 1 - cosine(list[i], list[j]);
          pairs += 1;
        }
      }
      return {
        user_id: userId,
        rank: index < 0 ? null : index + 1,
        items,
        cold: rec.strategy === "cold",
        diversity: pairs > 0 ? distance / pairs : null,
      };
    },
  };
}

/** The metrics of an evaluation run. */
export interface EvalMetrics {
  readonly users: number;
  readonly k: number;
  readonly hit_rate: number;
  readonly ndcg: number;
  readonly mrr: number;
  readonly coverage: number;
  readonly diversity: number;
  readonly cold_share: number;
}

/**
 * Aggregate per-user evaluations: HR@k, NDCG@k, MRR, catalogue coverage, intra-list diversity, cold share.
 * @param records - per-user results
 * @param k - the cut-off
 * @param catalogSize - number of catalogue items
 */
export function aggregateEval(records: readonly EvalRecord[], k: number, catalogSize: number): EvalMetrics {
  const n = records.length;
  const mean = (f: (r: EvalRecord) => number) => (n === 0 ? 0 : records.reduce((s, r) => s + f(r), 0) / n);
  const within = (r: EvalRecord) => r.rank !== null && r.rank <= k;
  const diverse = records.filter((r) => r.diversity !== null);
  const covered = new Set(records.flatMap((r) => r.items));
  return {
    users: n,
    k,
    hit_rate: mean((r) => (within(r) ? 1 : 0)),
    ndcg: mean((r) => (within(r) ? 1 / Math.log2(r.rank! + 1) : 0)),
    mrr: mean((r) => (r.rank === null ? 0 : 1 / r.rank)),
    coverage: catalogSize === 0 ? 0 : covered.size / catalogSize,
    diversity: diverse.length === 0 ? 0 : diverse.reduce((s, r) => s + r.diversity!, 0) / diverse.length,
    cold_share: mean((r) => (r.cold ? 1 : 0)),
  };
}
