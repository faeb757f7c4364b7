import { createConnection } from "node:net";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { startRedisServer, type TestRedisServer } from "@recsys/adapters-redis/testing";
import { normalizeEvents } from "@recsys/core";
import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import { StoreUnavailableError, safeParseRecommendQuery } from "@recsys/ports";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildComponents, type Components } from "../src/components.js";
import { answers, embeddedComponents, get, post, type Running, rawRequest, startServer } from "./helpers.js";
import { expectAnswersMatchDocument } from "./openapi-answers.js";

const HOUR = 3_600_000;

type Malformed = {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
};

/**
 * The status an ingest body must get, worked out without the HTTP path: 413 over the size limit, 400 when
 * it is not JSON, 422 when it is not an object or array, is nested too deep or holds no usable event, 200
 * when at least one item is an event (the others are reported as rejected).
 */
function expectedIngestStatus(body: string): number {
  if (Buffer.byteLength(body) > 4 * 1024 * 1024) return 413;
  if (body.trim() === "") return 400;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 400;
  }
  if (typeof parsed !== "object" || parsed === null) return 422;
  if (depth(parsed) > 64) return 422;
  const { events, rejected } = normalizeEvents(parsed, { now: BB_NOW });
  return events.length === 0 && rejected.length > 0 ? 422 : 200;
}

function depth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, level);
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, level + 1]);
  }
  return deepest;
}

/** Every kind of malformed request a hostile or buggy client might send, each with the status it must get. */
function malformedRequests(): Malformed[] {
  const out: Malformed[] = [];
  const ingest = "/recsys/api/ingest";
  const fixed: [string, number][] = [
    ["", 400],
    [" ", 400],
    ["{", 400],
    ["[1,", 400],
    ["nul", 400],
    ["undefined", 400],
    ["'single'", 400],
    ['{"a":}', 400],
    ["\u0000", 400],
    ["42", 422],
    ['"text"', 422],
    ["true", 422],
    ["null", 422],
    ["1e999999", 422],
    ["{}", 422],
    ["[1, 2, 3]", 422],
    ["[null]", 422],
    ['{"batch": 7}', 422],
    ['{"batch": [1, "x", null]}', 422],
    [`${"[".repeat(5000)}${"]".repeat(5000)}`, 422],
    [`${'{"a":'.repeat(200)}1${"}".repeat(200)}`, 422],
    [JSON.stringify({ event: "E", userId: "u", timestamp: "not a date" }), 422],
    [JSON.stringify({ event: "E", userId: "u", timestamp: 1e308 }), 422],
    [JSON.stringify({ event: "E", userId: { id: 1 } }), 422],
    [JSON.stringify({ event: "E", userId: "u", properties: { details: { dwell_seconds: "a lot" } } }), 422],
    [JSON.stringify({ event: "E", userId: "u", properties: { answers: [1, 2] } }), 422],
    [JSON.stringify({ event: "E", userId: "u", properties: "nope" }), 422],
    [JSON.stringify({ event: ["E"], userId: "u" }), 422],
    [JSON.stringify({ type: "identify", userId: "u", traits: "x" }), 422],
    ['{"event":"E","userId":"u","properties":{"details":{"dwell_seconds":1e400}}}', 422],
    [JSON.stringify({ event: "E", userId: "u", timestamp: "2026-02-30T00:00:00Z" }), 422],
    [JSON.stringify({ event: "E", userId: "u", timestamp: "99999-01-01T00:00:00Z" }), 422],
  ];
  for (const [body, status] of fixed) {
    expect({ body: body.slice(0, 60), status: expectedIngestStatus(body) }).toEqual({
      body: body.slice(0, 60),
      status,
    });
    out.push({ method: "POST", path: ingest, body, status });
  }
  out.push({ method: "POST", path: ingest, body: "x".repeat(4 * 1024 * 1024 + 1), status: 413 });
  out.push({
    method: "POST",
    path: ingest,
    body: JSON.stringify([{ event: "E", userId: "u", pad: "y".repeat(4 * 1024 * 1024) }]),
    status: 413,
  });
  const queries: [string, number][] = [
    ["", 422],
    ["user_id=", 422],
    ["user_id=%20%20", 422],
    ["user_id=u&limit=0", 422],
    ["user_id=u&limit=51", 422],
    ["user_id=u&limit=-1", 422],
    ["user_id=u&limit=abc", 422],
    ["user_id=u&limit=1.5", 422],
    ["user_id=u&limit=99999999999999999999", 422],
    ["user_id=u&limit=1&limit=2", 422],
    ["user_id=a&user_id=b", 422],
    ["user_id=u&near_lat=91&near_lon=0", 422],
    ["user_id=u&near_lat=1", 422],
    ["user_id=u&near_lon=1", 422],
    ["user_id=u&near_lat=NaN&near_lon=1", 422],
    ["user_id=u&near_lat=Infinity&near_lon=1", 422],
    ["user_id=u&near_lat=1e400&near_lon=1", 422],
    ["user_id=u&near_lat=1&near_lon=1&geo_radius_m=-5", 422],
    ["user_id=u&geo_radius_m=100", 422],
    ["user_id=u&include_content=maybe", 422],
    ["user_id=u&seed=-1", 422],
    ["user_id=u&seed=1.5", 422],
    [`user_id=${"u".repeat(600)}`, 422],
    [`user_id=u&filter=${"f".repeat(300)}`, 422],
  ];
  for (const [q, status] of queries) {
    out.push({ method: "GET", path: `/recsys/api/recommend?${q}`, status });
    if (!/near|limit|seed|filter|include|geo/.test(q))
      out.push({ method: "GET", path: `/recsys/api/usermodel?${q}`, status });
  }
  for (const path of [
    "/",
    "/recsys",
    "/recsys/api",
    "/recsys/api/nope",
    "/api/recommend",
    "/../etc/passwd",
    "/recsys/api/recommend/extra",
    "/%00",
    "/metrics/x",
  ]) {
    out.push({ method: "GET", path, status: 404 });
    out.push({ method: "DELETE", path, status: 404 });
    out.push({ method: "PUT", path, body: "{}", status: 404 });
  }
  // Generated junk bodies: the status each must get comes from expectedIngestStatus.
  const junk = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) =>
        JSON.stringify({
          event: "E",
          userId: "u",
          properties: { details: v, answers: v, content: v, context: v },
        }),
      ),
      fc
        .jsonValue({ maxDepth: 3 })
        .map((v) => JSON.stringify({ batch: [v, { type: "identify", userId: v, traits: v }] })),
    ),
    { numRuns: 300, seed: 1234 },
  );
  for (const body of junk)
    out.push({ method: "POST", path: ingest, body, status: expectedIngestStatus(body) });
  // Generated junk query strings: 422 unless every given field happens to be valid (200).
  const queryJunk = fc.sample(
    fc.dictionary(
      fc.constantFrom(
        "user_id",
        "limit",
        "filter",
        "near_lat",
        "near_lon",
        "geo_radius_m",
        "include_content",
      ),
      fc.string({ maxLength: 12 }),
    ),
    { numRuns: 120, seed: 99 },
  );
  for (const q of queryJunk) {
    const status = safeParseRecommendQuery(q).success ? 200 : 422;
    out.push({ method: "GET", path: `/recsys/api/recommend?${new URLSearchParams(q).toString()}`, status });
  }
  return out;
}

describe("robustness: malformed traffic never yields a 5xx nor corrupts stored models", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer(embeddedComponents(), { clock: () => BB_NOW });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers 500+ malformed requests with 4xx JSON errors naming the problem", async () => {
    const calls = rudderstackViews("steady", "101", 120, "next_button", BB_NOW - HOUR);
    expect((await post(`${server.url}/recsys/api/ingest`, calls)).status).toBe(200);
    const before = (await get(`${server.url}/recsys/api/usermodel?user_id=steady`)).json;

    const requests = malformedRequests();
    expect(requests.length).toBeGreaterThanOrEqual(500);
    const statuses = new Map<number, number>();
    for (const request of requests) {
      const res = await rawRequest(`${server.url}${request.path}`, {
        method: request.method,
        headers: request.headers ?? { "content-type": "application/json" },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const seen = {
        method: request.method,
        path: request.path.slice(0, 80),
        body: request.body?.slice(0, 80),
      };
      expect({ ...seen, status: res.status }).toEqual({ ...seen, status: request.status });
      if (res.status >= 400) {
        const parsed = JSON.parse(res.text) as { error: { code: string; message: string } };
        expect(typeof parsed.error.code).toBe("string");
        expect(parsed.error.message.length).toBeGreaterThan(0);
      }
    }
    expect(statuses.get(413)).toBeGreaterThanOrEqual(2);
    expect(statuses.get(400)).toBeGreaterThan(5);
    expect(statuses.get(422)).toBeGreaterThan(50);
    expect(statuses.get(404)).toBeGreaterThan(20);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);

    expect((await get(`${server.url}/recsys/api/usermodel?user_id=steady`)).json).toEqual(before);
    const more = rudderstackViews("steady", "102", 120, "next_button", BB_NOW - HOUR / 2);
    expect((await post(`${server.url}/recsys/api/ingest`, more)).json).toMatchObject({
      ingested: 2,
      users: ["steady"],
    });
    const rec = (await get(`${server.url}/recsys/api/recommend?user_id=steady`)).json.result as unknown as {
      strategy: string;
      items: { id: string }[];
    };
    expect(rec.strategy).toBe("warm");
    expect(rec.items[0]!.id).toBe("103");
  }, 120_000);

  it("names the field in validation errors", async () => {
    const cases: [string, number, string, string][] = [
      ["/recsys/api/recommend", 422, "user_id", "user_id"],
      ["/recsys/api/recommend?user_id=u&limit=0", 422, "limit", "limit must be an integer from 1 to 50"],
      ["/recsys/api/recommend?user_id=u&near_lat=1", 422, "near_lon", "near_lon is required with near_lat"],
      [
        "/recsys/api/recommend?user_id=u&geo_radius_m=5",
        422,
        "geo_radius_m",
        "geo_radius_m needs near_lat and near_lon",
      ],
      [
        "/recsys/api/recommend?user_id=u&include_content=perhaps",
        422,
        "include_content",
        "include_content must be true or false",
      ],
    ];
    for (const [path, status, field, message] of cases) {
      const res = await get(`${server.url}${path}`);
      expect(res.status).toBe(status);
      const error = (res.json as unknown as { error: { message: string; details: { field: string } } }).error;
      expect(error.details.field).toBe(field);
      expect(error.message).toContain(message);
    }
  });

  it("maps body errors to 400, 413 and 422", async () => {
    expect((await post(`${server.url}/recsys/api/ingest`, "{not json")).json).toMatchObject({
      error: { code: "invalid_json" },
    });
    expect((await post(`${server.url}/recsys/api/ingest`, "12")).status).toBe(422);
    const big = await rawRequest(`${server.url}/recsys/api/ingest`, {
      method: "POST",
      body: "[".padEnd(5 * 1024 * 1024, " "),
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toMatchObject({ error: { code: "payload_too_large" } });
    // Nesting: 64 levels are read (and rejected item by item), 65 are refused whole, in arrays or objects.
    const nested = (levels: number, open: string, close: string) =>
      `${open.repeat(levels)}0${close.repeat(levels)}`;
    for (const [open, close] of [
      ["[", "]"],
      ['{"a":', "}"],
    ] as const) {
      const deep = await post(`${server.url}/recsys/api/ingest`, nested(65, open, close));
      expect(deep.status).toBe(422);
      expect(deep.json).toMatchObject({
        error: {
          code: "invalid_body",
          details: { field: "body" },
          message: "request body is nested deeper than 64 levels",
        },
      });
    }
    const limit = await post(`${server.url}/recsys/api/ingest`, `[${nested(63, '{"a":', "}")}]`);
    expect(limit.json).toMatchObject({ error: { code: "no_valid_events" } });
    // Without a Content-Length (chunked), the limit is counted as the body is read; the service goes on.
    const chunked = { "transfer-encoding": "chunked", "content-type": "application/json" };
    const bigChunked = await rawRequest(`${server.url}/recsys/api/ingest`, {
      method: "POST",
      headers: chunked,
      body: "[".padEnd(5 * 1024 * 1024, " "),
    });
    expect(bigChunked.status).toBe(413);
    expect(bigChunked.headers.connection).toBe("close"); // the rest of the body is never read
    expect(JSON.parse(bigChunked.text)).toMatchObject({ error: { code: "payload_too_large" } });
    const small = await rawRequest(`${server.url}/recsys/api/ingest`, {
      method: "POST",
      headers: chunked,
      body: JSON.stringify({
        type: "track",
        event: "CONTENT_VIEW_STARTED",
        userId: "chunked-user",
        messageId: "chunked-1",
        timestamp: new Date(BB_NOW - 60_000).toISOString(),
        properties: { content: { content_id: "content_101" } },
      }),
    });
    expect(small.status).toBe(200);
    expect(JSON.parse(small.text)).toMatchObject({ ingested: 1, users: ["chunked-user"] });
    const bad = await post(`${server.url}/recsys/api/ingest`, [{ event: "E" }, { userId: "u" }]);
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({
      error: { code: "no_valid_events", details: { rejected: [{ index: 0 }, { index: 1 }] } },
    });
  });
});

describe.each(["embedded stores", "a real redis-server"] as const)(
  "HTTP manners and encodings, on %s",
  (kind) => {
    let server: Running;
    let redis: TestRedisServer | undefined;
    let components: Components;
    beforeAll(async () => {
      if (kind === "a real redis-server") {
        redis = await startRedisServer();
        components = await buildComponents(
          {},
          { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "manners", RECSYS_REDIS_TIMEOUT_MS: "2000" },
          { clock: () => BB_NOW },
        );
      } else components = embeddedComponents();
      server = await startServer(components, { clock: () => BB_NOW });
    });
    afterAll(async () => {
      await server.close();
      await components.close();
      await redis?.stop();
    });
    const body = () => JSON.stringify(rudderstackViews("enc", "101", 120, "next_button", BB_NOW - HOUR));
    const send = (headers: Record<string, string>, payload: string | Buffer) =>
      rawRequest(`${server.url}/recsys/api/ingest`, { method: "POST", headers, body: payload });

    it("405 with Allow for a wrong method on a known path; 404 for an unknown one", async () => {
      const wrong = await rawRequest(`${server.url}/recsys/api/ingest`, { method: "GET" });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.allow).toBe("POST");
      expect(JSON.parse(wrong.text)).toMatchObject({ error: { code: "method_not_allowed" } });
      const del = await rawRequest(`${server.url}/recsys/api/recommend?user_id=u`, { method: "DELETE" });
      expect(del.status).toBe(405);
      expect(del.headers.allow).toBe("GET, HEAD");
      expect(
        (await rawRequest(`${server.url}/recsys/v1/batch`, { method: "PUT", body: "{}" })).headers.allow,
      ).toBe("POST");
      expect((await rawRequest(`${server.url}/recsys/api/nope`, { method: "GET" })).status).toBe(404);
    });

    it("415 for a body that is not JSON by its content type or encoding", async () => {
      for (const type of ["application/xml", "multipart/form-data; boundary=x", "text/html", "image/png"]) {
        const res = await send({ "content-type": type }, body());
        expect({ type, status: res.status }).toEqual({ type, status: 415 });
        expect(JSON.parse(res.text)).toMatchObject({ error: { code: "unsupported_media_type" } });
      }
      const br = await send({ "content-type": "application/json", "content-encoding": "br" }, body());
      expect(br.status).toBe(415);
      // What real senders use is accepted: the Node SDK's form type, beacons' text/plain, none at all.
      for (const type of [
        "application/x-www-form-urlencoded",
        "text/plain;charset=UTF-8",
        "application/json",
      ]) {
        expect((await send({ "content-type": type }, body())).status).toBe(200);
      }
    });

    it("gzip and deflate (zlib or raw) bodies; a bad stream is 400, a decompression bomb 413 at once", async () => {
      const json = { "content-type": "application/json" };
      const gz = await send({ ...json, "content-encoding": "gzip" }, gzipSync(body()));
      expect(JSON.parse(gz.text)).toMatchObject({ users: ["enc"] });
      expect((await send({ ...json, "content-encoding": "deflate" }, deflateSync(body()))).status).toBe(200);
      expect((await send({ ...json, "content-encoding": "deflate" }, deflateRawSync(body()))).status).toBe(
        200,
      );
      const bad = await send({ ...json, "content-encoding": "gzip" }, Buffer.from("not gzip at all"));
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text)).toMatchObject({ error: { code: "invalid_encoding" } });
      // 1 GB of zeros is about 1 MB gzipped: under the 4 MiB limit as sent, far over it decompressed.
      const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
      expect(bomb.length).toBeLessThan(4 * 1024 * 1024);
      const started = process.memoryUsage().rss;
      const res = await send({ ...json, "content-encoding": "gzip" }, bomb);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text)).toMatchObject({
        error: { code: "payload_too_large", message: "decompressed body is larger than 4194304 bytes" },
      });
      // Bounded memory: the service stopped at the limit instead of inflating 256 MB.
      expect(process.memoryUsage().rss - started).toBeLessThan(64 * 1024 * 1024);
    });

    it("Authorization: Basic with the key as user name, and Bearer, open guarded routes like X-API-Key", async () => {
      const guarded = await startServer(embeddedComponents(), {
        apiKey: "k3y",
        dev: false,
        clock: () => BB_NOW,
      });
      try {
        const url = `${guarded.url}/recsys/api/usermodel?user_id=u`;
        expect((await get(url)).status).toBe(401);
        expect(
          (await get(url, { authorization: `Basic ${Buffer.from("k3y:").toString("base64")}` })).status,
        ).toBe(200);
        expect(
          (await get(url, { authorization: `Basic ${Buffer.from(":k3y").toString("base64")}` })).status,
        ).toBe(200);
        expect((await get(url, { authorization: "Bearer k3y" })).status).toBe(200);
        expect((await get(url, { authorization: "Bearer nope" })).status).toBe(401);
        expect(
          (await get(url, { authorization: `Basic ${Buffer.from("nope:").toString("base64")}` })).status,
        ).toBe(401);
      } finally {
        await guarded.close();
      }
    });

    it("a client that disconnects mid-request is logged as such, not as a 500", async () => {
      const url = new URL(`${server.url}/recsys/api/ingest`);
      await new Promise<void>((resolve) => {
        const socket = createConnection(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /recsys/api/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[{"event":`,
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(server.logs.some((l) => l.msg === "client disconnected")).toBe(true);
      expect(server.logs.filter((l) => l.status === 500)).toEqual([]);
    });

    it("503 names the store that failed, never the driver's message", async () => {
      const components = embeddedComponents();
      components.modelStore.getSignals = async () => {
        throw new StoreUnavailableError("redis", "Command timed out after 1000ms at 10.0.0.7:6379");
      };
      const broken = await startServer(components);
      try {
        const res = await get(`${broken.url}/recsys/api/recommend?user_id=u`);
        expect(res.status).toBe(503);
        expect(res.json).toEqual({
          error: {
            code: "store_unavailable",
            message: "the redis store is unavailable",
            details: { store: "redis" },
          },
        });
        expect(res.text).not.toContain("timed out");
      } finally {
        await broken.close();
      }
    });
  },
);

describe("every answer this file received matches the OpenAPI document", () => {
  it("checks them against the response schema for their path, method and status", () =>
    expectAnswersMatchDocument(
      answers,
      () => startServer(embeddedComponents(), { clock: () => BB_NOW }),
      500,
    ));
});
