import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedComponents, get, post, type Running, rawRequest, startServer } from "./helpers.js";

const HOUR = 3_600_000;

/** Every kind of malformed request a hostile or buggy client might send. */
function malformedRequests(): {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}[] {
  const out: { method: string; path: string; body?: string; headers?: Record<string, string> }[] = [];
  const ingest = "/recsys/api/ingest";
  const fixed = [
    "",
    " ",
    "{",
    "[1,",
    "nul",
    "undefined",
    "'single'",
    '{"a":}',
    "\u0000",
    "42",
    '"text"',
    "true",
    "null",
    "1e999999",
    "[]",
    "{}",
    "[1, 2, 3]",
    "[null]",
    '{"batch": 7}',
    '{"batch": [1, "x", null]}',
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    `${'{"a":'.repeat(200)}1${"}".repeat(200)}`,
    JSON.stringify({ event: "E", userId: "u", timestamp: "not a date" }),
    JSON.stringify({ event: "E", userId: "u", timestamp: 1e308 }),
    JSON.stringify({ event: "E", userId: { id: 1 } }),
    JSON.stringify({ event: "E", userId: "u", properties: { details: { dwell_seconds: "a lot" } } }),
    JSON.stringify({ event: "E", userId: "u", properties: { answers: [1, 2] } }),
    JSON.stringify({ event: "E", userId: "u", properties: "nope" }),
    JSON.stringify({ event: ["E"], userId: "u" }),
    JSON.stringify({ type: "identify", userId: "u", traits: "x" }),
    '{"event":"E","userId":"u","properties":{"details":{"dwell_seconds":1e400}}}',
    JSON.stringify({ event: "E", userId: "u", timestamp: "2026-02-30T00:00:00Z" }),
    JSON.stringify({ event: "E", userId: "u", timestamp: "99999-01-01T00:00:00Z" }),
    JSON.stringify({
      event: "E",
      userId: "x".repeat(100_000),
      timestamp: "2026-01-01T00:00:00Z",
      properties: { content: 9e15 },
    }),
  ];
  for (const body of fixed) out.push({ method: "POST", path: ingest, body });
  out.push({ method: "POST", path: ingest, body: "x".repeat(4 * 1024 * 1024 + 1) });
  out.push({
    method: "POST",
    path: ingest,
    body: JSON.stringify([{ event: "E", userId: "u", pad: "y".repeat(4 * 1024 * 1024) }]),
  });
  out.push({ method: "POST", path: ingest, body: "{}", headers: { "content-type": "text/plain" } });
  out.push({ method: "POST", path: ingest, body: "<xml/>", headers: { "content-type": "application/xml" } });
  const queries = [
    "",
    "user_id=",
    "user_id=%20%20",
    "user_id=u&limit=0",
    "user_id=u&limit=51",
    "user_id=u&limit=-1",
    "user_id=u&limit=abc",
    "user_id=u&limit=1.5",
    "user_id=u&limit=99999999999999999999",
    "user_id=u&limit=1&limit=2",
    "user_id=a&user_id=b",
    "user_id=u&near_lat=91&near_lon=0",
    "user_id=u&near_lat=1",
    "user_id=u&near_lon=1",
    "user_id=u&near_lat=NaN&near_lon=1",
    "user_id=u&near_lat=Infinity&near_lon=1",
    "user_id=u&near_lat=1e400&near_lon=1",
    "user_id=u&near_lat=1&near_lon=1&geo_radius_m=-5",
    "user_id=u&geo_radius_m=100",
    "user_id=u&include_content=maybe",
    `user_id=${"u".repeat(600)}`,
    `user_id=u&filter=${"f".repeat(300)}`,
    "user_id=%ZZ",
  ];
  for (const q of queries) {
    out.push({ method: "GET", path: `/recsys/api/recommend?${q}` });
    if (!q.includes("near") && !q.includes("limit"))
      out.push({ method: "GET", path: `/recsys/api/usermodel?${q}` });
  }
  for (const path of [
    "/",
    "/recsys",
    "/recsys/api",
    "/recsys/api/ingest",
    "/recsys/api/nope",
    "/api/recommend",
    "/../etc/passwd",
    "/recsys/api/recommend/extra",
    "/%00",
    "/metrics/x",
  ]) {
    out.push({ method: "GET", path });
    out.push({ method: "DELETE", path });
    out.push({ method: "PUT", path, body: "{}" });
  }
  // Generated junk bodies and query strings up to 500+ requests.
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
  for (const body of junk) out.push({ method: "POST", path: ingest, body });
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
    {
      numRuns: 120,
      seed: 99,
    },
  );
  for (const q of queryJunk)
    out.push({ method: "GET", path: `/recsys/api/recommend?${new URLSearchParams(q).toString()}` });
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
      const text = res.text;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect({
        path: request.path.slice(0, 80),
        body: request.body?.slice(0, 80),
        status: res.status < 500,
      }).toEqual({
        path: request.path.slice(0, 80),
        body: request.body?.slice(0, 80),
        status: true,
      });
      if (res.status >= 400) {
        const parsed = JSON.parse(text) as { error: { code: string; message: string } };
        expect(typeof parsed.error.code).toBe("string");
        expect(parsed.error.message.length).toBeGreaterThan(0);
      }
    }
    expect(statuses.get(413)).toBeGreaterThanOrEqual(2);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(422)).toBeGreaterThan(0);
    expect(statuses.get(404)).toBeGreaterThan(0);

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
    const bad = await post(`${server.url}/recsys/api/ingest`, [{ event: "E" }, { userId: "u" }]);
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({
      error: { code: "no_valid_events", details: { rejected: [{ index: 0 }, { index: 1 }] } },
    });
  });
});
