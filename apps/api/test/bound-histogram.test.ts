import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { BoundHistogram } from "../src/bound-histogram.js";

const config = {
  name: "recsys_test_duration_seconds",
  help: "A test histogram.",
  labelNames: ["store", "operation"],
  buckets: [0.001, 0.01, 0.1, 1],
};

describe("BoundHistogram", () => {
  it("renders exactly as prom-client's Histogram after the same observations (text and JSON)", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const bound = new BoundHistogram({ ...config, registers: [ours] });
    const histogram = new Histogram({ ...config, registers: [theirs] });
    const observations: [Record<string, string>, number][] = [
      [{ store: "events", operation: "append" }, 0.0004],
      [{ store: "events", operation: "append" }, 0.001], // on a bound: counted in it (le is ≤)
      [{ store: "models", operation: "get" }, 0.05],
      [{ store: "events", operation: "append" }, 3], // above every bound: +Inf only
      [{ store: "models", operation: "get" }, 0.1],
      [{ store: "events", operation: "append" }, 0.0099],
    ];
    const recorders = new Map<string, (value: number) => void>();
    for (const [labels, value] of observations) {
      const key = JSON.stringify(labels);
      if (!recorders.has(key)) recorders.set(key, bound.bind(labels));
      recorders.get(key)!(value);
      histogram.observe(labels, value);
    }
    // A label set bound but never observed is not rendered (prom-client renders a child once observed).
    bound.bind({ store: "content", operation: "query" });
    histogram.labels({ store: "content", operation: "query" });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    expect(await ours.metrics()).toContain(
      'recsys_test_duration_seconds_bucket{le="0.001",store="events",operation="append"} 2',
    );
    // Reset: nothing rendered, and the bound recorders still count.
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    recorders.get(JSON.stringify({ store: "models", operation: "get" }))!(0.02);
    histogram.observe({ store: "models", operation: "get" }, 0.02);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain(
      'recsys_test_duration_seconds_count{store="models",operation="get"} 1',
    );
  });

  it("names a missing or unknown label", () => {
    const bound = new BoundHistogram({ ...config, registers: [] });
    expect(() => bound.bind({ store: "events" })).toThrow(/no value for the label "operation"/);
    expect(() => bound.bind({ store: "events", operation: "get", tenant: "x" })).toThrow(
      /unknown label "tenant"/,
    );
  });
});
