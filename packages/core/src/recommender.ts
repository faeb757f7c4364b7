import {
  type ContentStore,
  emptyUserSignals,
  InvalidArgumentError,
  type RecConfig,
  type Recommendation,
  type RecommendRequestOptions,
  safeParseRecommendOptions,
  type UserModelStore,
  type UserSignals,
} from "@recsys/ports";
import { assignVariant, variantConfigs } from "./experiments.js";
import { emptyPolicySums, linUcbPolicy } from "./linucb.js";
import { createSeededRandom, type RandomSource } from "./random.js";
import { BUILT_IN_SCORER_NAMES, BUILT_IN_SCORERS } from "./serve/built-in-scorers.js";
import { RANKING_POLICIES } from "./serve/ranking.js";
import {
  collectCandidates,
  diagnose,
  placeDistractor,
  planQueries,
  rankCandidates,
  rerank,
  scoreCandidates,
  startRequest,
} from "./serve/stages.js";
import type { CandidateSource, RankingPolicy, Scorer } from "./serve/types.js";

/** What a bandit that learned nothing adds to its prior. */
const PRIOR_ONLY = emptyPolicySums();

/**
 * Per-request options of {@link Recommender.recommend}: the options every caller shares (limit, filter,
 * geo, seed, validated by `RecommendOptionsSchema` of `@recsys/ports`), plus injected randomness.
 */
export interface RecommendOptions extends Partial<RecommendRequestOptions> {
  /** Randomness for the distractor (inject decision, slot, sampling); wins over `seed`. */
  readonly random?: RandomSource | undefined;
}

/** Options of {@link Recommender}. */
export interface RecommenderOptions {
  /** The catalogue. */
  readonly contentStore: ContentStore;
  /** Where materialised user models are read from. */
  readonly modelStore: UserModelStore;
  /** The resolved config. */
  readonly cfg: RecConfig;
  /** Default randomness (default `Math.random`). */
  readonly random?: RandomSource | undefined;
  /** Extra scorers, fused after the six built-in ones with their own weights. */
  readonly scorers?: readonly Scorer[] | undefined;
  /** Extra candidate sources: one query each in the same batch; their hits join the unconstrained pool. */
  readonly candidateSources?: readonly CandidateSource[] | undefined;
  /** Extra ranking policies `ranking_mode` may name (the built-in `static` is always there). */
  readonly rankingPolicies?: Readonly<Record<string, RankingPolicy>> | undefined;
}

/**
 * The serve side: reads a user's model and produces a ranked, diversity-reranked list with one
 * distractor, through the stages of docs/behaviour.md ("Serve path"): plan the queries → collect
 * candidates → score → rank → rerank (MMR) → place the distractor → diagnostics. Apart from the model
 * read, a warm recommendation costs at most two `ContentStore.query` round trips, a cold one one.
 *
 * @example
 * const recommender = new Recommender({ contentStore, modelStore, cfg: resolveConfig() });
 * const rec = await recommender.recommend("user-1", { limit: 5 });
 */
export class Recommender {
  readonly #store: ContentStore;
  readonly #models: UserModelStore;
  readonly #cfg: RecConfig;
  readonly #random: RandomSource;
  readonly #scorers: readonly Scorer[];
  readonly #sources: readonly CandidateSource[];
  readonly #policy: RankingPolicy;
  /** Per experiment variant: its settings and ranking policy. */
  readonly #variants = new Map<string, { cfg: RecConfig; policy: RankingPolicy }>();

  /**
   * @param options - stores, config, default randomness, and any extra scorers, candidate sources and
   *   ranking policies
   * @throws InvalidArgumentError when an extra scorer reuses a built-in or another scorer's name, or
   *   `ranking_mode` names no known policy
   */
  constructor(options: RecommenderOptions) {
    this.#store = options.contentStore;
    this.#models = options.modelStore;
    this.#cfg = options.cfg;
    this.#random = options.random ?? Math.random;
    const extra = options.scorers ?? [];
    const names = new Set(BUILT_IN_SCORER_NAMES);
    for (const scorer of extra) {
      if (names.has(scorer.name)) {
        throw new InvalidArgumentError(`scorer name ${JSON.stringify(scorer.name)} is taken`, "scorers");
      }
      names.add(scorer.name);
    }
    this.#scorers = [...BUILT_IN_SCORERS, ...extra];
    this.#sources = options.candidateSources ?? [];
    // `bandit` without a learned state of its own is LinUCB at its prior (the static fusion plus exploration).
    const policies: Record<string, RankingPolicy> = {
      bandit: linUcbPolicy(() => PRIOR_ONLY),
      ...options.rankingPolicies,
      ...RANKING_POLICIES,
    };
    const policyFor = (cfg: RecConfig, field: string) => {
      const policy = policies[cfg.ranking_mode];
      if (!policy) throw new InvalidArgumentError(`no ranking policy ${cfg.ranking_mode}`, field);
      return policy;
    };
    this.#policy = policyFor(options.cfg, "ranking_mode");
    for (const [name, cfg] of variantConfigs(options.cfg)) {
      this.#variants.set(name, { cfg, policy: policyFor(cfg, `experiment.variants.${name}.ranking_mode`) });
    }
  }

  /** The config this recommender serves with. */
  get cfg(): RecConfig {
    return this.#cfg;
  }

  /**
   * Recommend for a stored user: reads the materialised model (an empty, cold one when there is none) and
   * calls {@link Recommender.recommendForSignals}.
   * @param userId - the user
   * @param options - limit, filter, geo, seed, randomness
   * @throws InvalidArgumentError naming the option at fault
   */
  async recommend(userId: string, options: RecommendOptions = {}): Promise<Recommendation> {
    const signals = (await this.#models.getSignals(userId)) ?? emptyUserSignals(userId);
    return this.recommendForSignals(signals, options);
  }

  /**
   * Recommend for a given user model. Seen items (positives, negatives, viewed) are never recommended
   * unless a constrained set is exhausted and re-showing is enabled.
   * @param signals - the user model
   * @param options - limit, filter, geo, seed, randomness
   * @throws InvalidArgumentError naming the option at fault
   */
  async recommendForSignals(signals: UserSignals, options: RecommendOptions = {}): Promise<Recommendation> {
    const { random, ...rest } = options;
    const parsed = safeParseRecommendOptions(rest);
    if (!parsed.success) throw new InvalidArgumentError(parsed.message, parsed.field);
    const o = parsed.output;
    const near =
      o.near_lat !== undefined && o.near_lon !== undefined ? { lat: o.near_lat, lon: o.near_lon } : null;
    // In an experiment, the user's variant decides the settings and the ranking policy.
    const experiment = this.#cfg.experiment;
    const variant = experiment ? assignVariant(experiment, signals.user_id) : null;
    const plan = (variant !== null ? this.#variants.get(variant) : undefined) ?? {
      cfg: this.#cfg,
      policy: this.#policy,
    };
    const state = startRequest({
      signals,
      cfg: plan.cfg,
      random: random ?? (o.seed !== undefined ? createSeededRandom(o.seed) : this.#random),
      filter: o.filter ?? null,
      near,
      radius: o.geo_radius_m ?? null,
    });
    planQueries(state, this.#sources);
    await collectCandidates(state, this.#store, this.#sources);
    if (state.candidates.size > 0) {
      scoreCandidates(state, this.#scorers);
      rankCandidates(state, plan.policy);
      rerank(state);
      await placeDistractor(state, this.#store);
    }
    const rec = diagnose(state, o.limit ?? null);
    return experiment && variant !== null
      ? { ...rec, diagnostics: { ...rec.diagnostics, experiment: experiment.name, variant } }
      : rec;
  }
}
