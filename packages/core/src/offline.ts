import type { InteractionEvent, PolicySums, RecConfig, ServedEntry } from "@recsys/ports";
import { engagementStrength } from "./engagement.js";
import { customPart, LinUcb, type Observation, policySumsOf } from "./linucb.js";
import { createSeededRandom } from "./random.js";
import { FEATURE_ORDER } from "./scorers.js";

/** The reading-time estimate offline training assumes for every item: 150 words at 4.2 words/s. */
export const NOMINAL_ESTIMATE_SECONDS = 150 / 4.2;

/** One logged impression of a served list, joined with what its viewer did (docs/behaviour.md §6.14). */
export interface LoggedImpression {
  readonly id: string;
  /** Its rank in the served list (1-based, distractor included). */
  readonly rank: number;
  readonly features: readonly number[];
  /** Its logged relevance score (what the logging policy ranked it by, before MMR). */
  readonly score: number;
  /** The weighted values of scorers beyond the six built-in ones (the policy does not learn them). */
  readonly extra: number;
  /** Whether the item was viewed with the list's request id. */
  readonly clicked: boolean;
  /** The reward: the view's engagement strength (0 when never opened). */
  readonly reward: number;
}

/** A served list with its target impressions joined to their outcomes. */
export interface LoggedList {
  readonly request_id: string;
  readonly user_id: string;
  readonly ranking: string;
  readonly impressions: readonly LoggedImpression[];
}

/**
 * Join served lists with events (docs/behaviour.md §6.14, the reference's offline rule): an impression's
 * events are those with its list's `request_id` and its `content_id`; the reward is the engagement
 * strength with the nominal 150-word estimate, the longest explicit dwell, the last end reason, and as many
 * visits as `CONTENT_VIEW_STARTED` events (at least one); an impression never opened has reward 0.
 * Distractors and items without features are left out.
 * @param served - served-log entries
 * @param events - canonical events
 * @param cfg - engagement weights, dwell cap
 */
export function joinServedWithEvents(
  served: readonly ServedEntry[],
  events: readonly InteractionEvent[],
  cfg: Pick<RecConfig, "engagement" | "dwell_cap_ratio">,
): LoggedList[] {
  const byPair = new Map<string, InteractionEvent[]>();
  for (const event of events) {
    if (event.request_id === null || event.content_id === null) continue;
    const key = `${event.request_id}\u0000${event.content_id}`;
    const list = byPair.get(key) ?? [];
    list.push(event);
    byPair.set(key, list);
  }
  return served.map((entry) => ({
    request_id: entry.request_id,
    user_id: entry.user_id,
    ranking: entry.ranking,
    impressions: entry.items
      .filter((item) => item.role === "target" && item.features.length > 0)
      .map((item) => {
        const seen = byPair.get(`${entry.request_id}\u0000${item.id}`) ?? [];
        const extra = customPart(item.breakdown);
        const base = {
          id: item.id,
          rank: item.rank,
          features: item.features,
          score: item.relevance_score,
          extra,
        };
        if (seen.length === 0) return { ...base, clicked: false, reward: 0 };
        const dwell = Math.max(0, ...seen.map((e) => e.dwell_seconds ?? 0));
        const reason = [...seen].reverse().find((e) => e.end_reason !== null)?.end_reason ?? null;
        const visits = Math.max(1, seen.filter((e) => e.event === "CONTENT_VIEW_STARTED").length);
        const reward = engagementStrength(
          {
            dwellSeconds: dwell > 0 ? dwell : null,
            estimateSeconds: NOMINAL_ESTIMATE_SECONDS,
            endReason: reason,
            visits,
            rating: null,
          },
          cfg,
        );
        return { ...base, clicked: true, reward };
      }),
  }));
}

/**
 * Fit LinUCB offline (docs/behaviour.md §6.14): every logged impression, opened or not, is one observation
 * of its features and reward, added to the prior (the training starts from the prior every run).
 * @param lists - joined lists
 * @param weight - how much each observation counts (default 1)
 * @returns the learned sums, to add to a store or write as a state file
 */
export function trainLinUcb(lists: readonly LoggedList[], weight = 1): PolicySums {
  const observations: Observation[] = lists.flatMap((list) =>
    list.impressions.map((impression) => ({ x: impression.features, reward: impression.reward, weight })),
  );
  return policySumsOf(observations);
}

/** A candidate ranking: the score of a logged impression under the policy being evaluated. */
export type CandidateScore = (impression: LoggedImpression) => number;

/**
 * The candidate scores of a configuration: the static fusion of the logged features with its weights, or
 * its greedy LinUCB score (exploration off) when `ranking_mode` is `bandit`, plus the logged values of
 * custom scorers.
 * @param cfg - the candidate's settings
 * @param sums - what the candidate bandit learned (for `bandit`)
 */
export function candidateScore(cfg: RecConfig, sums?: PolicySums): CandidateScore {
  if (cfg.ranking_mode === "bandit") {
    const bandit = new LinUcb(cfg, sums);
    return (impression) => bandit.score(impression.features, false) + impression.extra;
  }
  const weights = FEATURE_ORDER.map((name) => cfg.fusion[name]);
  return (impression) =>
    impression.features.reduce((sum, x, i) => sum + x * (weights[i] ?? 0), 0) + impression.extra;
}

/** An estimate with its bootstrap interval. */
export interface Estimate {
  readonly value: number;
  /** The 2.5 % and 97.5 % bootstrap percentiles. */
  readonly interval: readonly [number, number];
}

/** Off-policy estimates of a candidate against the logging policy. */
export interface OffPolicyReport {
  /** Lists with at least one target impression with features. */
  readonly lists: number;
  /** Impressions used (targets with features). */
  readonly matched_impressions: number;
  /** The cut-off: only the first k ranks count. */
  readonly k: number;
  /** The position bias exponent η of the examination model 1/rank^η. */
  readonly eta: number;
  readonly logging: { readonly reward_per_list: Estimate; readonly ctr: Estimate };
  readonly candidate: {
    readonly ips_reward_per_list: Estimate;
    readonly snips_reward_per_list: Estimate;
    readonly ips_ctr: Estimate;
    readonly snips_ctr: Estimate;
  };
}

/**
 * Off-policy estimates of a candidate ranking from a served log (docs/behaviour.md §6.14). The logging
 * policy ranks deterministically, so the estimator re-ranks each logged list's target impressions: the
 * item the candidate scores j-th best takes the rank the logging policy gave its j-th best by logged
 * relevance (so MMR's reordering and the distractor's slot are kept, and the logging policy evaluated as
 * the candidate reproduces its own value exactly); each impression is reweighted by the ratio of
 * examination probabilities at its candidate and its logged rank, under the position-based model
 * `P(examined at rank r) = 1/r^η` (η = 1 by default): `w = (p_log/p_cand)^η` when the candidate rank is
 * within k, else 0. IPS averages `Σ w·r` per list; self-normalised IPS rescales by `Σ 1 / Σ w` over the
 * lists, which trades a little bias for much less variance. The logging policy's own value is the plain
 * average. Intervals: 2.5/97.5 % percentiles of 1,000 bootstrap resamples of the lists (seeded).
 * @param lists - joined lists
 * @param score - the candidate's scores
 * @param options - `k` (default 10), `eta` (default 1), `samples` (default 1000), `seed`
 */
export function offPolicyEstimate(
  lists: readonly LoggedList[],
  score: CandidateScore,
  options: {
    readonly k?: number;
    readonly eta?: number;
    readonly samples?: number;
    readonly seed?: number;
  } = {},
): OffPolicyReport {
  const k = options.k ?? 10;
  const eta = options.eta ?? 1;
  // Per list: the sums each estimator needs.
  const rows = lists
    .filter((list) => list.impressions.length > 0)
    .map((list) => {
      const byLogged = [...list.impressions].sort((a, b) => b.score - a.score || a.rank - b.rank);
      const slots = byLogged.map((impression) => impression.rank);
      const order = [...list.impressions].sort((a, b) => score(b) - score(a) || a.rank - b.rank);
      const candidateRank = new Map(order.map((impression, i) => [impression, slots[i]!]));
      let logReward = 0;
      let logClicks = 0;
      let logCount = 0;
      let wReward = 0;
      let wClicks = 0;
      let wCount = 0;
      for (const impression of list.impressions) {
        const q = candidateRank.get(impression)!;
        if (impression.rank <= k) {
          logReward += impression.reward;
          logClicks += impression.clicked ? 1 : 0;
          logCount++;
        }
        const w = q <= k ? (impression.rank / q) ** eta : 0;
        wReward += w * impression.reward;
        wClicks += w * (impression.clicked ? 1 : 0);
        wCount += w;
      }
      return { logReward, logClicks, logCount, wReward, wClicks, wCount };
    });
  const measure = (sample: readonly (typeof rows)[number][]) => {
    const total = (key: keyof (typeof rows)[number]) => sample.reduce((sum, row) => sum + row[key], 0);
    const n = Math.max(sample.length, 1);
    const logCount = total("logCount");
    const wCount = total("wCount");
    const snips = (value: number) => (wCount > 0 ? (value / wCount) * (logCount / n) : 0);
    return {
      logReward: total("logReward") / n,
      logCtr: logCount > 0 ? total("logClicks") / logCount : 0,
      ipsReward: total("wReward") / n,
      snipsReward: snips(total("wReward")),
      ipsCtr: logCount > 0 ? total("wClicks") / logCount : 0,
      snipsCtr: wCount > 0 ? total("wClicks") / wCount : 0,
    };
  };
  const point = measure(rows);
  const random = createSeededRandom(options.seed ?? 1);
  const samples = options.samples ?? 1000;
  const draws: ReturnType<typeof measure>[] = [];
  for (let s = 0; s < samples && rows.length > 0; s++)
    draws.push(measure(Array.from({ length: rows.length }, () => rows[Math.floor(random() * rows.length)]!)));
  const estimate = (key: keyof typeof point): Estimate => {
    const sorted = draws.map((d) => d[key]).sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? point[key];
    return { value: point[key], interval: [at(0.025), at(0.975)] };
  };
  return {
    lists: rows.length,
    matched_impressions: rows.reduce((sum, row) => sum + row.logCount, 0),
    k,
    eta,
    logging: { reward_per_list: estimate("logReward"), ctr: estimate("logCtr") },
    candidate: {
      ips_reward_per_list: estimate("ipsReward"),
      snips_reward_per_list: estimate("snipsReward"),
      ips_ctr: estimate("ipsCtr"),
      snips_ctr: estimate("snipsCtr"),
    },
  };
}

/**
 * A LinUCB state file (the reference's shape, plus `prior` and `format`): A and b with the prior included,
 * so the Python service can read it too.
 */
export interface PolicyStateFile {
  readonly format: "recsys-linucb-1";
  readonly feature_order: readonly string[];
  readonly A: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly alpha: number;
  readonly ridge: number;
  readonly n_updates: number;
  /** The prior θ₀ (the fusion weights) the file's A and b include. */
  readonly prior: readonly number[];
}

/**
 * The state file of learned sums (prior included, as the reference writes it).
 * @param cfg - fusion weights (the prior), `bandit_alpha`, `bandit_ridge`
 * @param sums - what was learned
 */
export function policyStateFile(
  cfg: Pick<RecConfig, "fusion" | "bandit_alpha" | "bandit_ridge">,
  sums: PolicySums,
): PolicyStateFile {
  const bandit = new LinUcb(cfg, sums);
  return {
    format: "recsys-linucb-1",
    feature_order: [...FEATURE_ORDER],
    A: bandit.A.map((row) => [...row]),
    b: [...bandit.b],
    alpha: cfg.bandit_alpha,
    ridge: cfg.bandit_ridge,
    n_updates: sums.n_updates,
    prior: [...bandit.prior],
  };
}

/**
 * The learned sums of a state file: A − ridge·I and b − ridge·prior (a reference file without `prior` is
 * taken to have the given fusion weights as its prior).
 * @param state - the parsed file
 * @param cfg - the fusion weights, for a file without `prior`
 * @throws Error when the file is not a 6-feature LinUCB state
 */
export function sumsOfStateFile(state: unknown, cfg: Pick<RecConfig, "fusion">): PolicySums {
  const s = state as Partial<PolicyStateFile>;
  const d = FEATURE_ORDER.length;
  const ok =
    Array.isArray(s.A) &&
    s.A.length === d &&
    s.A.every((row) => Array.isArray(row) && row.length === d && row.every(Number.isFinite)) &&
    Array.isArray(s.b) &&
    s.b.length === d &&
    s.b.every(Number.isFinite);
  if (!ok) throw new Error("not a LinUCB state: expected A (6 × 6) and b (6 numbers)");
  if (s.feature_order && s.feature_order.join() !== FEATURE_ORDER.join())
    throw new Error(`feature_order must be ${FEATURE_ORDER.join(", ")}`);
  const ridge = typeof s.ridge === "number" && s.ridge > 0 ? s.ridge : 1;
  const prior =
    Array.isArray(s.prior) && s.prior.length === d ? s.prior : FEATURE_ORDER.map((name) => cfg.fusion[name]);
  return {
    A: (s.A as number[][]).flatMap((row, i) => row.map((value, j) => value - (i === j ? ridge : 0))),
    b: s.b!.map((value, i) => value - ridge * prior[i]!),
    n_updates: typeof s.n_updates === "number" ? s.n_updates : 0,
  };
}
