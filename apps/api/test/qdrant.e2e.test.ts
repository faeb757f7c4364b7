import { createQdrantClient, importCatalog } from "@recsys/adapters-qdrant";
import { type QdrantProtocolServer, startQdrantProtocolServer } from "@recsys/adapters-qdrant/testing";
import { BB_NOW, BB_POINTS, rudderstackViews } from "@recsys/fakes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildComponents, type Components } from "../src/components.js";
import { embeddedComponents, get, post, type Running, startServer } from "./helpers.js";

const HOUR = 3_600_000;
type Result = {
  strategy: string;
  items: { id: string; relevance_score: number; breakdown: Record<string, number>; features: number[] }[];
  diagnostics: Record<string, unknown>;
};

let qdrant: QdrantProtocolServer;
let components: Components;
let onQdrant: Running;
let embedded: Running;

beforeAll(async () => {
  qdrant = await startQdrantProtocolServer();
  await importCatalog(createQdrantClient(qdrant.url), "omeka-items", BB_POINTS);
  // docs/behaviour.md Appendix B's clock, months before the wall clock: the buffer trims by the components' clock.
  components = await buildComponents(
    {},
    { QDRANT_API_URL: qdrant.url, RECSYS_DEV: "1" },
    { clock: () => BB_NOW },
  );
  onQdrant = await startServer(components);
  embedded = await startServer(embeddedComponents(), { clock: () => BB_NOW });
});
afterAll(async () => {
  await onQdrant.close();
  await embedded.close();
  await qdrant.close();
});

describe("the service with QDRANT_API_URL", () => {
  it("uses the Qdrant content store and is not in dev mode by default", async () => {
    expect(components.mode).toBe("real");
    expect(components.description).toContain("qdrant collection omeka-items");
    expect((await get(`${onQdrant.url}/ready`)).json).toEqual({
      status: "ready",
      stores: { content: "ok", events: "ok", models: "ok", tenants: "ok" },
    });
  });

  it("serves the docs/behaviour.md Appendix B scenario with the same result as the embedded default, in ≤ 2 Qdrant requests", async () => {
    const calls = [
      ...rudderstackViews("visitor-q", "101", 120, "next_button", BB_NOW - HOUR),
      ...rudderstackViews("visitor-q", "102", 120, "next_button", BB_NOW - HOUR),
    ];
    for (const server of [onQdrant, embedded])
      expect((await post(`${server.url}/recsys/api/ingest`, calls)).status).toBe(200);
    const models = await Promise.all(
      [onQdrant, embedded].map(
        async (s) => (await get(`${s.url}/recsys/api/usermodel?user_id=visitor-q`)).json.result,
      ),
    );
    expect(models[0]).toEqual(models[1]);
    const before = qdrant.requests.length;
    const [viaQdrant, viaEmbedded] = await Promise.all(
      [onQdrant, embedded].map(
        async (s) =>
          (await get(`${s.url}/recsys/api/recommend?user_id=visitor-q&include_content=false`)).json
            .result as unknown as Result,
      ),
    );
    expect(qdrant.requests.length - before).toBeLessThanOrEqual(2);
    expect(viaQdrant!.items.map((i) => i.id)).toEqual(["103", "201", "301", "202", "203", "302"]);
    expect(viaQdrant!.items).toEqual(viaEmbedded!.items);
    expect(viaQdrant!.strategy).toBe("warm");
  });

  it("answers 503 when Qdrant fails, and recovers", async () => {
    qdrant.failNext(503, 1);
    const res = await get(`${onQdrant.url}/recsys/api/recommend?user_id=visitor-q`);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ error: { code: "store_unavailable" } });
    expect((await get(`${onQdrant.url}/recsys/api/recommend?user_id=visitor-q`)).status).toBe(200);
  });
});
