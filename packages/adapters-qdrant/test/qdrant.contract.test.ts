import { describeContentStoreContract } from "@recsys/fakes/contract";
import { afterAll, describe } from "vitest";
import { createQdrantClient } from "../src/client.js";
import { importCatalog } from "../src/collection.js";
import { QdrantContentStore } from "../src/qdrant-content-store.js";
import { startQdrantProtocolServer } from "../src/testing/qdrant-protocol-server.js";

const protocol = await startQdrantProtocolServer();
afterAll(() => protocol.close());

let n = 0;
async function storeAt(url: string, apiKey?: string) {
  const client = createQdrantClient(url, { apiKey, timeoutMs: 5000 });
  const collection = `recsys-contract-${process.pid}-${Date.now().toString(36)}-${n++}`;
  return { client, collection };
}

describeContentStoreContract({
  name: "QdrantContentStore on the Qdrant protocol server",
  create: async (points) => {
    const { client, collection } = await storeAt(protocol.url);
    await importCatalog(client, collection, points);
    return new QdrantContentStore({ client, collection });
  },
});

// The same suite against a real Qdrant whenever QDRANT_API_URL is set (e.g. QDRANT_API_URL=http://127.0.0.1:6333);
// without it the suite is reported as skipped, with the reason in its name.
const real = process.env.QDRANT_API_URL?.trim();
const made: { client: ReturnType<typeof createQdrantClient>; collection: string }[] = [];
describe.skipIf(!real)(
  real ? `real Qdrant at ${real}` : "real Qdrant (skipped: QDRANT_API_URL is not set)",
  () => {
    describeContentStoreContract({
      name: `QdrantContentStore on ${real ?? "a real Qdrant"}`,
      create: async (points) => {
        const target = await storeAt(real!, process.env.QDRANT_API_KEY);
        made.push(target);
        await importCatalog(target.client, target.collection, points);
        return new QdrantContentStore(target);
      },
      destroy: async () => {
        for (const { client, collection } of made) await client.deleteCollection(collection);
      },
    });
  },
);
