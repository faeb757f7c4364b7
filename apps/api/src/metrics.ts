import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

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

/** A counter name of {@link Metrics.inc}. */
export type CounterName = keyof typeof COUNTERS;

/** The service's metrics: one prom-client registry per app. */
export class Metrics {
  readonly registry = new Registry();
  readonly #counters: Record<CounterName, Counter>;
  readonly #requests: Counter;
  readonly #latency: Histogram;
  readonly #stores: Histogram;

  /** @param options - `defaults: false` leaves out process and event-loop metrics (default on) */
  constructor(options: { readonly defaults?: boolean } = {}) {
    const registers = [this.registry];
    this.#counters = Object.fromEntries(
      Object.entries(COUNTERS).map(([name, help]) => [
        name,
        new Counter({
          name: `recsys_${name}_total`,
          help,
          labelNames: name === "recommendations" ? ["strategy"] : [],
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
    this.#latency = new Histogram({
      name: "recsys_http_request_duration_seconds",
      help: "HTTP request latency by route and method.",
      labelNames: ["route", "method"],
      buckets: BUCKETS,
      registers,
    });
    this.#stores = new Histogram({
      name: "recsys_store_call_duration_seconds",
      help: "Latency of calls to the stores, by store, operation and outcome.",
      labelNames: ["store", "operation", "outcome"],
      buckets: BUCKETS,
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
    this.#requests.inc({ route, method, status: String(status) });
    this.#latency.observe({ route, method }, seconds);
  }

  /**
   * Record one store call.
   * @param store - `content`, `events` or `models`
   * @param operation - the port method
   * @param outcome - `ok` or `error`
   * @param seconds - duration
   */
  observeStore(store: string, operation: string, outcome: "ok" | "error", seconds: number): void {
    this.#stores.observe({ store, operation, outcome }, seconds);
  }

  /**
   * Add to a counter (`recsys_<name>_total`).
   * @param name - counter name
   * @param value - increment
   * @param labels - labels (`strategy` for recommendations)
   */
  inc(name: CounterName, value = 1, labels: Record<string, string> = {}): void {
    if (value > 0) this.#counters[name].inc(labels, value);
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
  for (const method of methods) {
    const original = store[method];
    if (typeof original !== "function") continue;
    const bound = (original as (...args: unknown[]) => unknown).bind(store);
    (store as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        const result = await bound(...args);
        metrics.observeStore(name, String(method), "ok", (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        metrics.observeStore(name, String(method), "error", (performance.now() - started) / 1000);
        throw error;
      }
    };
  }
  return store;
}
