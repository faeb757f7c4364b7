// A load generator at a fixed request rate, open loop: request i is due at start + i / rate whether or not
// the earlier ones have been answered. autocannon's `overallRate` is not that: it gives each connection a
// budget per second, which the connection spends at once (requests back to back at full speed, then idle
// until the next second), and it then adds made-up samples for the gaps (its coordinated-omission
// correction). Its "fixed 1,000 req/s" is ten connections saturating the server for the first part of each
// second. Here a request goes out when it is due, on a kept-alive connection that is free or on a new one,
// and its latency runs from when it was due: a stall of the server, or of this process, counts for every
// request it held back (no coordinated omission), as in wrk2.
import http from "node:http";

/** What {@link openLoop} sends. */
export interface OpenLoopOptions {
  /** `http://host:port`. */
  readonly origin: string;
  /** The path (and query) of the i-th request. */
  readonly path: (i: number) => string;
  /** Requests per second. */
  readonly rate: number;
  /** For how long, in seconds (rate × seconds requests in all). */
  readonly seconds: number;
}

/** What {@link openLoop} measured (times in ms). */
export interface OpenLoopResult {
  /** Requests answered. */
  readonly requests: number;
  /** Answered per second, over the run (from the first due time to the last answer). */
  readonly requestsPerSecond: number;
  /** Answers other than 2xx, and requests that failed. */
  readonly non2xx: number;
  /** Latency from when each request was due to its answer's end: median, 99th percentile, worst. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Latency from when each request was sent (what the server and the network took): median, p99. */
  readonly sentP50: number;
  readonly sentP99: number;
  /** How late the latest request went out (this process's own delay; counted in the latencies above). */
  readonly lateMax: number;
  /** The most requests in flight at once (connections in use). */
  readonly inFlightMax: number;
}

/**
 * The value at quantile `q` of ascending `sorted` values (nearest rank: the smallest value with at least
 * q of the values at or below it).
 * @param sorted - ascending values, at least one
 * @param q - in (0, 1]
 */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Send `rate × seconds` GET requests at a fixed rate (see the top of this file) and measure them.
 * @param options - where, what, how fast, how long
 */
export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { origin, path, rate, seconds } = options;
  const total = Math.round(rate * seconds);
  const { hostname, port } = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const fromDue: number[] = [];
  const fromSent: number[] = [];
  let non2xx = 0;
  let sent = 0;
  let settled = 0;
  let inFlight = 0;
  let inFlightMax = 0;
  let lateMax = 0;
  let lastAnswer = 0;
  const start = performance.now() + 2;
  const dueAt = (i: number) => start + (i * 1000) / rate;
  try {
    await new Promise<void>((resolve) => {
      const settle = (ok: boolean, due: number, sentAt: number) => {
        const now = performance.now();
        inFlight -= 1;
        if (ok) {
          fromDue.push(now - due);
          fromSent.push(now - sentAt);
        } else non2xx += 1;
        lastAnswer = now;
        settled += 1;
        if (settled === total) resolve();
      };
      const send = (i: number) => {
        const due = dueAt(i);
        const sentAt = performance.now();
        lateMax = Math.max(lateMax, sentAt - due);
        inFlight += 1;
        inFlightMax = Math.max(inFlightMax, inFlight);
        // A request settles once, whichever of its answer's end or an error comes first.
        let done = false;
        const once = (ok: boolean) => {
          if (done) return;
          done = true;
          settle(ok, due, sentAt);
        };
        const request = http.get({ hostname, port, path: path(i), agent }, (response) => {
          const ok = response.statusCode !== undefined && response.statusCode < 300;
          response.resume();
          response.on("end", () => once(ok));
          response.on("error", () => once(false));
        });
        request.on("error", () => once(false));
      };
      // Every turn sends what is due, then sleeps until the next request is due (timers fire at best to
      // the millisecond; a late turn sends all it owes at once, and each latency counts from its due time).
      const tick = () => {
        const now = performance.now();
        while (sent < total && dueAt(sent) <= now) send(sent++);
        if (sent < total) setTimeout(tick, Math.max(0, dueAt(sent) - performance.now()));
      };
      if (total === 0) resolve();
      else setTimeout(tick, Math.max(0, start - performance.now()));
    });
  } finally {
    agent.destroy();
  }
  fromDue.sort((a, b) => a - b);
  fromSent.sort((a, b) => a - b);
  const answered = fromDue.length;
  const at = (values: number[], q: number) => (values.length === 0 ? Number.NaN : quantile(values, q));
  return {
    requests: answered,
    requestsPerSecond: answered === 0 ? 0 : (answered * 1000) / (lastAnswer - start),
    non2xx,
    p50: at(fromDue, 0.5),
    p99: at(fromDue, 0.99),
    max: at(fromDue, 1),
    sentP50: at(fromSent, 0.5),
    sentP99: at(fromSent, 0.99),
    lateMax,
    inFlightMax,
  };
}
