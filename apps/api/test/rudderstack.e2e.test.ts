// RudderStack senders as they are: the official Node SDK, pointed at the running service as its data
// plane with its default options (gzip, Basic auth with the write key, /v1/batch), on a real redis-server.
import { createServer, type Server, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import Analytics from "@rudderstack/rudder-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Components } from "../src/components.js";
import { get, type RedisService, type Running, rawRequest, startRedisService } from "./helpers.js";

const KEY = "write-key-123";
let service: RedisService;
let components: Components;
let server: Running;

beforeAll(async () => {
  service = await startRedisService({ RECSYS_REDIS_PREFIX: "sdk" }, { apiKey: KEY, dev: false });
  ({ components, server } = service);
});
afterAll(() => service.close());

/** Track a view of an item (STARTED, then ENDED 90 s later) as an app would, through the SDK. */
function trackView(client: Analytics, userId: string, item: string) {
  const started = new Date(Date.now() - 120_000);
  client.track({
    userId,
    event: "CONTENT_VIEW_STARTED",
    properties: { content: `content_${item}` },
    originalTimestamp: started,
  } as Parameters<Analytics["track"]>[0]);
  client.track({
    userId,
    event: "CONTENT_VIEW_ENDED",
    properties: { content: `content_${item}`, details: { dwell_seconds: 90, reason: "next_button" } },
    originalTimestamp: new Date(started.getTime() + 90_000),
  } as Parameters<Analytics["track"]>[0]);
}

function sdk(dataPlaneUrl: string, writeKey = KEY, errors: unknown[] = []) {
  return new Analytics(writeKey, {
    dataPlaneUrl,
    flushAt: 100,
    flushInterval: 60_000,
    logLevel: "error",
    retryCount: 3,
    errorHandler: (error: unknown) => {
      errors.push(error);
    },
  });
}

describe("the RudderStack Node SDK, unchanged but for its data plane URL", () => {
  it("defaults (gzip, Basic auth with the write key, /v1/batch): events stored, model built", async () => {
    const errors: unknown[] = [];
    const client = sdk(`${server.url}/recsys`, KEY, errors);
    trackView(client, "sdk-user", "101");
    trackView(client, "sdk-user", "102");
    client.identify({ userId: "sdk-user", traits: { age: 30, gender: "female" } });
    client.page({ userId: "sdk-user", name: "Home" } as Parameters<Analytics["page"]>[0]);
    await client.flush();
    expect(errors).toEqual([]);
    const batch = server.logs.find((l) => l.route === "/recsys/v1/batch");
    expect(batch).toMatchObject({ method: "POST", status: 200 });
    expect(await components.eventBuffer.fetchEvents("sdk-user")).toHaveLength(5);
    const model = (await components.modelStore.getSignals("sdk-user"))!;
    expect(Object.keys(model.positives).sort()).toEqual(["101", "102"]);
    expect(model.demographics).toMatchObject({ age: 30, gender: "female" });
  });

  it("a wrong write key gets 401 and nothing is stored", async () => {
    const errors: { response?: { status?: number } }[] = [];
    const client = new Analytics("not-the-key", {
      dataPlaneUrl: `${server.url}/recsys`,
      flushAt: 100,
      logLevel: "error",
      retryCount: 0,
      errorHandler: (error: { response?: { status?: number } }) => {
        errors.push(error);
      },
    });
    trackView(client, "intruder", "101");
    await client.flush().catch(() => {});
    expect(errors[0]?.response?.status).toBe(401);
    expect(await components.eventBuffer.fetchEvents("intruder")).toEqual([]);
  });

  it("a retry after a dropped connection is not counted twice", async () => {
    // A proxy that forwards the first request to the service but drops the connection instead of
    // relaying the answer: the service stored the batch, the SDK sees a network error and retries.
    const target = new URL(server.url);
    let dropped = 0;
    const proxy: Server = createServer((client: Socket) => {
      const upstream = new Socket();
      upstream.connect(Number(target.port), target.hostname);
      client.pipe(upstream);
      upstream.on("data", (chunk: Buffer) => {
        if (dropped === 0) {
          dropped += 1;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(chunk);
      });
      upstream.on("end", () => client.end());
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    try {
      const errors: unknown[] = [];
      const client = sdk(`http://127.0.0.1:${port}/recsys`, KEY, errors);
      trackView(client, "retried", "103");
      await client.flush();
      expect(errors).toEqual([]);
      expect(dropped).toBe(1);
      const batches = server.logs.filter((l) => l.route === "/recsys/v1/batch" && l.status === 200);
      expect(batches.length).toBeGreaterThanOrEqual(2);
      // Stored once: the second delivery was an exact replay.
      expect(await components.eventBuffer.fetchEvents("retried")).toHaveLength(2);
      const model = (await components.modelStore.getSignals("retried"))!;
      expect(model.behavior).toMatchObject({ n_views: 1 });
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it("a re-delivery with a new sentAt (same messageId) is a duplicate, not a new event", async () => {
    const message = {
      type: "track",
      event: "CONTENT_VIEW_STARTED",
      userId: "redelivered",
      messageId: "m-1",
      originalTimestamp: new Date(Date.now() - 60_000).toISOString(),
      properties: { content: "content_201" },
    };
    const send = (sentAt: string) =>
      rawRequest(`${server.url}/recsys/v1/batch`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-encoding": "gzip",
          authorization: `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`,
        },
        body: gzipSync(JSON.stringify({ batch: [{ ...message, sentAt }], sentAt })),
      });
    const first = await send(new Date().toISOString());
    expect(JSON.parse(first.text)).toMatchObject({ ingested: 1, duplicates: 0 });
    const again = await send(new Date(Date.now() + 5000).toISOString());
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ ingested: 0, duplicates: 1, users: ["redelivered"] });
    expect(await components.eventBuffer.fetchEvents("redelivered")).toHaveLength(1);
  });

  it("the single-call routes take one call, of their type unless it says otherwise", async () => {
    const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
    const at = new Date(Date.now() - 30_000).toISOString();
    const track = await rawRequest(`${server.url}/recsys/v1/track`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        userId: "single",
        event: "CONTENT_VIEW_STARTED",
        timestamp: at,
        properties: { content: "301" },
      }),
    });
    expect(JSON.parse(track.text)).toMatchObject({ ingested: 1, users: ["single"] });
    const identify = await rawRequest(`${server.url}/recsys/v1/identify`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ userId: "single", timestamp: at, traits: { nationality: "dutch" } }),
    });
    expect(JSON.parse(identify.text)).toMatchObject({ ingested: 1 });
    for (const type of ["page", "screen", "alias", "group"]) {
      const res = await rawRequest(`${server.url}/recsys/v1/${type}`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          userId: "single",
          previousId: "x",
          groupId: "g",
          name: "Home",
          timestamp: at,
        }),
      });
      expect({ type, status: res.status, body: JSON.parse(res.text) }).toMatchObject({
        type,
        status: 200,
        body: { ingested: 0, ignored: 1, rejected: [] },
      });
    }
    const model = (await get(`${server.url}/recsys/api/usermodel?user_id=single`, { "x-api-key": KEY })).json;
    expect(model).toMatchObject({ result: { viewed: ["301"], demographics: { nationality: "dutch" } } });
  });
});
