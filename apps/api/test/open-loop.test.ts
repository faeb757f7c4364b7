// The load benchmark's fixed-rate generator (bench/open-loop.ts): it must keep its schedule while answers
// are slow, and count a stall against every request it held back. These are properties of the measuring
// tool, not timings of the service.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openLoop, quantile } from "../bench/open-loop.js";

let server: http.Server | null = null;
afterEach(async () => {
  server?.close();
  server = null;
});

/** A loopback server whose handler decides, per path, how to answer; returns its origin and the paths seen. */
async function serve(handle: (path: string, answer: () => void) => void) {
  const seen: string[] = [];
  server = http.createServer((request, response) => {
    seen.push(request.url!);
    handle(request.url!, () => response.end("ok"));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("quantile", () => {
  it("is the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([1, 2, 3], 0.5)).toBe(2);
  });
});

describe("openLoop", () => {
  it("sends every request once, on schedule, without waiting for slow answers", async () => {
    // Every answer takes 60 ms; at 100 req/s about six are in flight at once. A closed loop on one
    // connection would send ~8 in the half second; the schedule sends all 50.
    const { origin, seen } = await serve((_, answer) => setTimeout(answer, 60));
    const result = await openLoop({ origin, path: (i) => `/r/${i}`, rate: 100, seconds: 0.5 });
    expect(result.requests).toBe(50);
    expect(result.non2xx).toBe(0);
    expect([...seen].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `/r/${i}`).sort());
    expect(result.inFlightMax).toBeGreaterThanOrEqual(4);
    expect(result.sentP50).toBeGreaterThanOrEqual(59);
    expect(result.p50).toBeGreaterThanOrEqual(59);
  });

  it("counts a stall against every request it held back (no coordinated omission)", async () => {
    // Request 20 blocks this whole process (server and generator) for 120 ms: the ~24 requests due meanwhile
    // go out late, and each one's latency counts from when it was due.
    const { origin } = await serve((path, answer) => {
      if (path === "/r/20") {
        const until = performance.now() + 120;
        while (performance.now() < until) {}
      }
      answer();
    });
    const result = await openLoop({ origin, path: (i) => `/r/${i}`, rate: 200, seconds: 1 });
    expect(result.requests).toBe(200);
    expect(result.max).toBeGreaterThanOrEqual(120);
    // At least three of the 200 waited 50 ms or more (the first half of the stall's dozen and more).
    expect(result.p99).toBeGreaterThanOrEqual(50);
    expect(result.lateMax).toBeGreaterThanOrEqual(50);
    // Measured from when they were sent, the held-back requests were quick: the stall is not in sentP50.
    expect(result.sentP50).toBeLessThan(50);
  });

  it("reports failed requests instead of latencies", async () => {
    const { origin } = await serve((path, answer) => {
      if (path.endsWith("3")) server!.closeAllConnections();
      else answer();
    });
    const result = await openLoop({ origin, path: (i) => `/r/${i}`, rate: 100, seconds: 0.2 });
    expect(result.requests + result.non2xx).toBe(20);
    expect(result.non2xx).toBeGreaterThanOrEqual(2);
  });
});
