import { describe, expect, it } from "vitest";
import { emptyTenant, tenantEnvironment, tenantPrefix } from "./tenants.js";

describe("tenantEnvironment (docs/behaviour.md §7.7)", () => {
  const env = {
    REDIS_URL: "redis://r:6379",
    RECSYS_REDIS_PREFIX: "site",
    QDRANT_COLLECTION: "omeka-items",
    RECSYS_EVENT_LOG_DIR: "/var/log/recsys/",
    RECSYS_BANDIT_STATE: "/state.json",
  };

  it("leaves the deployment's environment to the default tenant", () => {
    expect(tenantEnvironment(env, emptyTenant("default"))).toEqual(env);
    expect(tenantPrefix({}, emptyTenant("default"))).toBe("default");
  });

  it("gives another tenant its id as prefix, its own log directory, and no bandit state file", () => {
    expect(tenantEnvironment(env, emptyTenant("alpha"))).toEqual({
      REDIS_URL: "redis://r:6379",
      RECSYS_REDIS_PREFIX: "alpha",
      QDRANT_COLLECTION: "omeka-items",
      RECSYS_EVENT_LOG_DIR: "/var/log/recsys/alpha",
    });
  });

  it("substitutes what the tenant sets", () => {
    const spec = {
      ...emptyTenant("beta"),
      redis_prefix: "b",
      collection: "beta-items",
      catalog: "/c/beta.jsonl",
    };
    expect(tenantEnvironment(env, spec)).toMatchObject({
      RECSYS_REDIS_PREFIX: "b",
      QDRANT_COLLECTION: "beta-items",
      RECSYS_CATALOG: "/c/beta.jsonl",
    });
    expect(
      tenantEnvironment(env, { ...emptyTenant("default"), redis_prefix: "d2" }).RECSYS_REDIS_PREFIX,
    ).toBe("d2");
  });
});
