/** Upper bounds (seconds) of the latency histogram buckets. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",");
  return body ? `{${body}}` : "";
}

/** In-process metrics, rendered in the Prometheus text exposition format. */
export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #counters = new Map<string, number>();

  /**
   * Record one request.
   * @param route - the route pattern (never the raw URL)
   * @param method - HTTP method
   * @param status - response status
   * @param seconds - duration
   */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = JSON.stringify([route, method, String(status)]);
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const hKey = JSON.stringify([route, method]);
    let h = this.#latency.get(hKey);
    if (!h) {
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.#latency.set(hKey, h);
    }
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) h.counts[i]! += 1;
    });
    h.sum += seconds;
    h.count += 1;
  }

  /**
   * Add to a named counter (`recsys_<name>_total`).
   * @param name - counter name
   * @param value - increment
   * @param labelPairs - labels
   */
  inc(name: string, value = 1, labelPairs: Record<string, string> = {}): void {
    const key = JSON.stringify([name, labelPairs]);
    this.#counters.set(key, (this.#counters.get(key) ?? 0) + value);
  }

  /** The exposition text. */
  render(): string {
    const lines: string[] = [
      "# HELP recsys_http_requests_total HTTP requests by route, method and status.",
      "# TYPE recsys_http_requests_total counter",
    ];
    for (const [key, value] of this.#requests) {
      const [route, method, status] = JSON.parse(key) as string[];
      lines.push(
        `recsys_http_requests_total${labels({ route: route!, method: method!, status: status! })} ${value}`,
      );
    }
    lines.push(
      "# HELP recsys_http_request_duration_seconds HTTP request latency by route and method.",
      "# TYPE recsys_http_request_duration_seconds histogram",
    );
    for (const [key, h] of this.#latency) {
      const [route, method] = JSON.parse(key) as string[];
      const base = { route: route!, method: method! };
      BUCKETS.forEach((bound, i) => {
        lines.push(
          `recsys_http_request_duration_seconds_bucket${labels({ ...base, le: String(bound) })} ${h.counts[i]}`,
        );
      });
      lines.push(`recsys_http_request_duration_seconds_bucket${labels({ ...base, le: "+Inf" })} ${h.count}`);
      lines.push(`recsys_http_request_duration_seconds_sum${labels(base)} ${h.sum}`);
      lines.push(`recsys_http_request_duration_seconds_count${labels(base)} ${h.count}`);
    }
    const byName = new Map<string, string[]>();
    for (const [key, value] of this.#counters) {
      const [name, pairs] = JSON.parse(key) as [string, Record<string, string>];
      const list = byName.get(name) ?? [];
      list.push(`recsys_${name}_total${labels(pairs)} ${value}`);
      byName.set(name, list);
    }
    for (const [name, list] of byName) {
      lines.push(`# TYPE recsys_${name}_total counter`, ...list);
    }
    return `${lines.join("\n")}\n`;
  }
}
