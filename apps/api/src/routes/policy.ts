import { LinUcb } from "@recsys/core";
import { FEATURE_ORDER } from "@recsys/core/scoring";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { guard } from "../auth.js";
import { MetricsResponseSchema, PolicyResponseSchema } from "../schemas.js";
import { errorResponses, json, type RouteContext } from "./shared.js";

/**
 * `GET /api/policy`: the LinUCB ranking policy as it stands (the reference's route): the mode, its prior
 * (the fusion weights), what it learned (θ), and its health. Read from the shared store on each call, so
 * it shows every replica's learning; in `static` mode it still shows what a bandit would rank with.
 * @param context - components, auth
 */
export function policyRoutes(context: RouteContext): Hono {
  const { metrics } = context;
  return new Hono()
    .get(
      "/api/metrics",
      describeRoute({
        summary: "Serving and online-learning counters of this process, as JSON",
        operationId: "metricsJson",
        description:
          "The reference's counters (ingests, recommends, cold and warm, cold_rate, avg_pool, distractor_rate) and, per strategy, ranking policy and experiment variant: lists served, impressions, clicks (a shown item viewed with its list's request id within impression_ttl_hours), ctr, ctr_at (k = 1, 3, 5, 10) and mean_reward. Counters are this process's since it started; `/metrics` has the same as Prometheus counters, to sum over replicas.",
        tags: ["learning"],
        security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }],
        responses: {
          200: { description: "The counters", content: json(MetricsResponseSchema) },
          ...errorResponses(401, 503),
        },
      }),
      guard("write", context.auth, context.tenants),
      (c) => c.json({ result: metrics.summary(c.get("access").tenant) }),
    )
    .get(
      "/api/policy",
      describeRoute({
        summary: "The learned ranking policy and its health",
        operationId: "policy",
        description:
          "`theta` is what the LinUCB policy ranks with (A⁻¹b over the six scorer features, in `feature_order`); `prior` is where it started (the fusion weights). `health.confidence` per feature is 1 − std/(1/√ridge), clamped to [0, 1]; `verdict` is `cold` under 20 updates, `learning` while the mean confidence over features with data is under 0.5, else `converged`.",
        tags: ["learning"],
        security: [{ apiKey: [] }, { basic: [] }, { bearer: [] }],
        responses: {
          200: { description: "The policy", content: json(PolicyResponseSchema) },
          ...errorResponses(401, 503),
        },
      }),
      guard("write", context.auth, context.tenants),
      async (c) => {
        const components = c.get("tenant");
        const { cfg } = components;
        const bandit = new LinUcb(cfg, await components.policy.refresh());
        return c.json({
          result: {
            mode: cfg.ranking_mode,
            feature_order: [...FEATURE_ORDER],
            prior: [...bandit.prior],
            theta: [...bandit.theta],
            trained: bandit.nUpdates > 0,
            alpha: cfg.bandit_alpha,
            ridge: cfg.bandit_ridge,
            explore: cfg.bandit_explore,
            online: cfg.bandit_online,
            health: bandit.health(),
          },
        });
      },
    );
}
