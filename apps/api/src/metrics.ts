import type { Impression, Recommendation } from "@recsys/ports";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { BoundHistogram } from "./bound-histogram.js";

// prom-client (the maintained Prometheus client for Node) renders the exposition format with HELP and
// TYPE for every family, and collects process and event-loop metrics; we only declare our families.

/** Upper bounds (seconds) of the latency histogram buckets. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The counters the routes increment, with their help text. */
const COUNTERS = {
  events_ingested: "Events newly stored in the event buffer.",
  events_rejected: "Ingested items rejected (malformed), each answered with its reason.",
  events_ignored: "RudderStack page, screen, alias and group calls: accepted, no recommendation signal.",
  events_outside_window: "Events older than the event window: reported, not stored.",
  events_duplicate: "Re-delivered events (exact replays of stored ones): not stored twice.",
  recommendations: "Recommendations served, by strategy (warm or cold).",
  rewards: "Views of served items that echoed their list's request id (each impression rewarded once).",
  bandit_updates: "Rewards the bandit ranking policy learned from.",
} as const;

/** Ranks counted apart for CTR@k; lower ranks are summed into the last one. */
const RANKS = 10;
/** The k of the CTR@k reported as JSON. */
const CTR_AT = [1, 3, 5, 10] as const;

/** Online metrics of one group of served lists (a strategy, ranking policy and variant). */
interface FeedbackGroup {
  lists: number;
  /** Impressions by rank (index rank − 1; the last holds every rank from {@link RANKS} on). */
  impressions: number[];
  /** Rewarded impressions by rank, likewise. */
  clicks: number[];
  rewardSum: number;
}

/** One tenant's counters in this process. */
interface TenantCounts {
  readonly served: {
    ingests: number;
    recommends: number;
    cold: number;
    warm: number;
    pool: number;
    distractorRequested: number;
    distractorPlaced: number;
  };
  readonly groups: Map<string, FeedbackGroup>;
}

/** The online metrics of one group, as `GET /api/metrics` reports them. */
export interface FeedbackMetrics {
  readonly strategy: string;
  readonly ranking: string;
  readonly variant: string | null;
  /** Lists served. */
  readonly lists: number;
  /** Target items shown. */
  readonly impressions: number;
  /** Shown items viewed within `impression_ttl_hours` (a view echoing the list's request id). */
  readonly clicks: number;
  /** clicks / impressions. */
  readonly ctr: number;
  /** Per k: clicks on ranks ≤ k / impressions at ranks ≤ k. */
  readonly ctr_at: Readonly<Record<string, number>>;
  /** Mean reward (engagement strength) of the clicks. */
  readonly mean_reward: number;
}

/** A counter name of {@link Metrics.inc}. */
export type CounterName = keyof typeof COUNTERS;

/** The service's metrics: one prom-client registry per app. */
export class Metrics {
  readonly registry = new Registry();
  readonly #counters: Record<CounterName, Counter>;
  readonly #requests: Counter;
  readonly #latency: BoundHistogram;
  readonly #stores: BoundHistogram;
  readonly #impressions: Counter;
  readonly #clicks: Counter;
  readonly #rewards: Histogram;
  /** The reference's counters and the online metrics, per tenant. */
  readonly #tenants = new Map<string, TenantCounts>();
  /** Each request label set's series, looked up once. */
  readonly #requestSeries = new Map<string, { count: { inc(): void }; latency: (seconds: number) => void }>();

  /** @param options - `defaults: false` leaves out process and event-loop metrics (default on) */
  constructor(options: { readonly defaults?: boolean } = {}) {
    const registers = [this.registry];
    this.#counters = Object.fromEntries(
      Object.entries(COUNTERS).map(([name, help]) => [
        name,
        new Counter({
          name: `recsys_${name}_total`,
          help,
          labelNames: name === "recommendations" ? ["strategy", "tenant"] : ["tenant"],
          registers,
        }),
      ]),
    ) as Record<CounterName, Counter>;
    this.#requests = new Counter({
      name: "recsys_http_requests_total",
      help: "HTTP requests by route, method and status.",
      labelNames: ["route", "method", "status"],
      registers,
    });
    // Observed on every request and store call: label sets bound once (BoundHistogram).
    this.#latency = new BoundHistogram({
      name: "recsys_http_request_duration_seconds",
      help: "HTTP request latency by route and method.",
      labelNames: ["route", "method"],
      buckets: BUCKETS,
      registers,
    });
    this.#stores = new BoundHistogram({
      name: "recsys_store_call_duration_seconds",
      help: "Latency of calls to the stores, by store, operation and outcome.",
      labelNames: ["store", "operation", "outcome"],
      buckets: BUCKETS,
      registers,
    });
    const groupLabels = ["strategy", "ranking", "variant", "tenant"];
    const tenants = this.#tenants;
    // Served lists count their impressions per group (ten or eleven label sets a list): the counter is
    // filled from those counts when it is scraped, not looked up item by item on every request.
    this.#impressions = new Counter({
      name: "recsys_impressions_total",
      help: "Target items shown, by strategy, ranking policy, experiment variant and rank (11 = 11 or lower).",
      labelNames: [...groupLabels, "rank"],
      registers,
      collect() {
        this.reset();
        for (const [tenant, { groups }] of tenants) {
          for (const [key, group] of groups) {
            const [strategy, ranking, variant] = JSON.parse(key) as [string, string, string | null];
            group.impressions.forEach((count, slot) => {
              if (count > 0)
                this.inc(
                  { strategy, ranking, variant: variant ?? "", rank: String(slot + 1), tenant },
                  count,
                );
            });
          }
        }
      },
    });
    this.#clicks = new Counter({
      name: "recsys_clicks_total",
      help: "Shown items viewed with their list's request id, by strategy, ranking policy, variant and rank.",
      labelNames: [...groupLabels, "rank"],
      registers,
    });
    this.#rewards = new Histogram({
      name: "recsys_reward",
      help: "Rewards (engagement strength of a clicked item's view), by strategy, ranking policy and variant.",
      labelNames: groupLabels,
      buckets: [-0.5, 0, 0.25, 0.5, 0.75, 1],
      registers,
    });
    if (options.defaults ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: "recsys_" });
      // Gauges that prom-client names *_total, which promtool rejects (only counters end in _total); the
      // per-type gauges recsys_nodejs_active_{handles,requests,resources} say the same.
      for (const name of ["active_handles_total", "active_requests_total", "active_resources_total"]) {
        this.registry.removeSingleMetric(`recsys_nodejs_${name}`);
      }
    }
  }

  /**
   * Record one request.
   * @param route - the route pattern (never the raw URL)
   * @param method - HTTP method
   * @param status - response status
   * @param seconds - duration
   */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let series = this.#requestSeries.get(key);
    if (!series) {
      series = {
        count: this.#requests.labels({ route, method, status: String(status) }),
        latency: this.#latency.bind({ route, method }),
      };
      this.#requestSeries.set(key, series);
    }
    series.count.inc();
    series.latency(seconds);
  }

  /**
   * The recorder of one store operation's calls (its series looked up once, when the store is wrapped).
   * @param store - `content`, `events` or `models`
   * @param operation - the port method
   * @param outcome - `ok` or `error`
   */
  storeTimer(store: string, operation: string, outcome: "ok" | "error"): (seconds: number) => void {
    return this.#stores.bind({ store, operation, outcome });
  }

  /**
   * Add to a counter (`recsys_<name>_total`).
   * @param name - counter name
   * @param value - increment
   * @param tenant - the tenant's id (a label of every counter)
   * @param labels - other labels (`strategy` for recommendations)
   */
  inc(name: CounterName, value: number, tenant: string, labels: Record<string, string> = {}): void {
    if (value <= 0) return;
    this.#counters[name].inc({ ...labels, tenant }, value);
    if (name === "events_ingested") this.#counts(tenant).served.ingests += value;
  }

  #counts(tenant: string): TenantCounts {
    let counts = this.#tenants.get(tenant);
    if (!counts) {
      counts = {
        served: {
          ingests: 0,
          recommends: 0,
          cold: 0,
          warm: 0,
          pool: 0,
          distractorRequested: 0,
          distractorPlaced: 0,
        },
        groups: new Map(),
      };
      this.#tenants.set(tenant, counts);
    }
    return counts;
  }

  /**
   * Record a served list: its items are impressions of its group.
   * @param rec - the recommendation as served
   * @param variant - the user's experiment variant, or null
   * @param tenant - the tenant's id
   */
  served(
    rec: Pick<Recommendation, "items" | "strategy" | "diagnostics">,
    variant: string | null,
    tenant: string,
  ): void {
    const counts = this.#counts(tenant).served;
    counts.recommends++;
    if (rec.strategy === "cold") counts.cold++;
    else counts.warm++;
    counts.pool += rec.diagnostics.pool_size;
    if (rec.diagnostics.distractor) {
      counts.distractorRequested++;
      if ("content_id" in rec.diagnostics.distractor) counts.distractorPlaced++;
    }
    const ranking = rec.diagnostics.ranking ?? "static";
    const group = this.#group(tenant, rec.strategy, ranking, variant);
    group.lists++;
    // recsys_impressions_total is read from these counts when scraped (see the constructor).
    rec.items.forEach((item, index) => {
      if (item.kind === "recommendation") group.impressions[Math.min(index, RANKS)]!++;
    });
  }

  /**
   * Record a click: a shown item viewed with its list's request id, and its reward.
   * @param impression - the impression rewarded
   * @param reward - the reward
   * @param tenant - the tenant's id
   */
  clicked(impression: Impression, reward: number, tenant: string): void {
    const { strategy, ranking, variant } = impression;
    const group = this.#group(tenant, strategy, ranking, variant);
    const slot = Math.min(Math.max(impression.rank - 1, 0), RANKS);
    group.clicks[slot]!++;
    group.rewardSum += reward;
    this.#clicks.inc({ strategy, ranking, variant: variant ?? "", rank: String(slot + 1), tenant });
    this.#rewards.observe({ strategy, ranking, variant: variant ?? "", tenant }, reward);
  }

  #group(tenant: string, strategy: string, ranking: string, variant: string | null): FeedbackGroup {
    const groups = this.#counts(tenant).groups;
    const key = JSON.stringify([strategy, ranking, variant]);
    let group = groups.get(key);
    if (!group) {
      group = {
        lists: 0,
        impressions: new Array(RANKS + 1).fill(0),
        clicks: new Array(RANKS + 1).fill(0),
        rewardSum: 0,
      };
      groups.set(key, group);
    }
    return group;
  }

  /**
   * The reference's `/api/metrics` counters of this process (ingests, recommends, cold rate, average pool,
   * distractor rate) and the online metrics per strategy, ranking policy and variant, of one tenant.
   * @param tenant - the tenant's id
   */
  summary(tenant: string): Record<string, unknown> {
    const { served: c, groups } = this.#counts(tenant);
    const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
    const sum = (values: number[], upTo = values.length) => values.slice(0, upTo).reduce((a, b) => a + b, 0);
    const feedback: FeedbackMetrics[] = [...groups].map(([key, group]) => {
      const [strategy, ranking, variant] = JSON.parse(key) as [string, string, string | null];
      const clicks = sum(group.clicks);
      return {
        strategy,
        ranking,
        variant,
        lists: group.lists,
        impressions: sum(group.impressions),
        clicks,
        ctr: ratio(clicks, sum(group.impressions)),
        ctr_at: Object.fromEntries(
          CTR_AT.map((k) => [String(k), ratio(sum(group.clicks, k), sum(group.impressions, k))]),
        ),
        mean_reward: ratio(group.rewardSum, clicks),
      };
    });
    return {
      ingests: c.ingests,
      recommends: c.recommends,
      cold: c.cold,
      warm: c.warm,
      pool_total: c.pool,
      distractor_requested: c.distractorRequested,
      distractor_placed: c.distractorPlaced,
      cold_rate: ratio(c.cold, c.recommends),
      avg_pool: ratio(c.pool, c.recommends),
      distractor_rate: ratio(c.distractorPlaced, c.recommends),
      source: "process",
      feedback,
    };
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The stores already wrapped by {@link timedStore}, per metrics registry. */
const timed = new WeakMap<Metrics, WeakSet<object>>();

/**
 * Wrap every method of a store so each call is timed into `recsys_store_call_duration_seconds`.
 * @param store - the store (modified in place and returned)
 * @param name - its label
 * @param metrics - where to record
 * @param methods - the methods to time
 */
export function timedStore<T extends object>(
  store: T,
  name: string,
  metrics: Metrics,
  methods: readonly (keyof T)[],
): T {
  // A store shared by several tenants (one catalogue loaded once) is wrapped once per registry.
  const wrapped = timed.get(metrics) ?? new WeakSet<object>();
  timed.set(metrics, wrapped);
  if (wrapped.has(store)) return store;
  wrapped.add(store);
  for (const method of methods) {
    const original = store[method];
    if (typeof original !== "function") continue;
    const bound = (original as (...args: unknown[]) => unknown).bind(store);
    const ok = metrics.storeTimer(name, String(method), "ok");
    const failed = metrics.storeTimer(name, String(method), "error");
    (store as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        const result = await bound(...args);
        ok((performance.now() - started) / 1000);
        return result;
      } catch (error) {
        failed((performance.now() - started) / 1000);
        throw error;
      }
    };
  }
  return store;
}
