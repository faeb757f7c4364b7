import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { embeddedComponents } from "./helpers.js";

const HOUR = 3_600_000;
const KEY = "operator-key";

function service(options: { key?: boolean } = {}) {
  const components = embeddedComponents();
  const app = createApp(components, {
    logger: () => {},
    clock: () => BB_NOW,
    ...(options.key === false ? { dev: true } : { apiKey: KEY }),
  });
  const call = (path: string, init: RequestInit = {}, key: string | null = KEY) =>
    app.request(`/recsys/api${path}`, {
      ...init,
      headers: {
        "content-type": "application/json",
        ...(key ? { "x-api-key": key } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  return { components, call };
}

const preview = (body: unknown, query = "") => ({
  path: `/recommend/preview${query}`,
  init: { method: "POST", body: JSON.stringify(body) } satisfies RequestInit,
});

describe("POST /api/recommend/preview (docs/behaviour.md §6.16)", () => {
  it("recommends for a hand-authored profile, answers the model it built, and stores nothing", async () => {
    const { components, call } = service();
    const { path, init } = preview(
      { tag_affinity: { "theme_what:Family": 2, "theme_what:Liberation": 1 }, like_items: ["201"], limit: 3 },
      "?seed=1",
    );
    const res = await call(path, init);
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as {
      result: {
        user_id: string;
        strategy: string;
        items: { id: string }[];
        user_model: Record<string, unknown>;
        request_id: string;
      };
    };
    expect(result.user_id).toBe("preview");
    expect(result.strategy).toBe("warm");
    expect(result.items.length).toBeLessThanOrEqual(3);
    expect(result.items.map((i) => i.id)).not.toContain("201");
    expect(result.items[0]!.id).toMatch(/^20[23]$/); // the other Family items lead
    expect(result.user_model).toMatchObject({
      user_id: "preview",
      positives: { "201": 1 },
      tag_affinity: { "theme_what:family": 1, "theme_what:liberation": 0.5 },
      taste_vector: [0, 1, 0, 0, 0, 0],
      recency_vector: null,
    });
    // nothing stored: no events, no model, no impression; the list is in the served log
    expect(await components.eventBuffer.fetchEvents("preview")).toEqual([]);
    expect(await components.modelStore.getSignals("preview")).toBeNull();
    for (const item of result.items)
      expect(await components.feedback.consumeImpression(result.request_id, item.id)).toBeNull();
    expect((await components.servedLog.recent({ userId: "preview" })).map((e) => e.request_id)).toEqual([
      result.request_id,
    ]);
  });

  it("bad input is a 422 naming the field; without the key a 401", async () => {
    const { call } = service();
    const cases: [unknown, string][] = [
      [{ limit: 0 }, "limit"],
      [{ like_items: "201" }, "like_items"],
      [{ tag_affinity: { "theme_what:x": "high" } }, "tag_affinity.theme_what:x"],
      [{ colour: "blue" }, "colour"],
    ];
    for (const [body, field] of cases) {
      const { path, init } = preview(body);
      const res = await call(path, init);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(((await res.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
        field,
      );
    }
    const bad = await call("/recommend/preview?near_lat=95", { method: "POST", body: "{}" });
    expect(bad.status).toBe(422);
    const { path, init } = preview({});
    expect((await call(path, init, null)).status).toBe(401);
  });
});

describe("GET /api/usermodel/explain (docs/behaviour.md §6.15)", () => {
  it("explains the Appendix B visitor as the reference does, with the summary", async () => {
    const { call } = service();
    const calls = [
      ...rudderstackViews("visitor-b", "101", 120, "next_button", BB_NOW - HOUR),
      ...rudderstackViews("visitor-b", "102", 120, "next_button", BB_NOW - HOUR),
    ];
    expect((await call("/ingest", { method: "POST", body: JSON.stringify(calls) })).status).toBe(200);
    const res = await call("/usermodel/explain?user_id=visitor-b&verbalize=true");
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: Record<string, unknown> };
    expect(result).toMatchObject({
      user_id: "visitor-b",
      is_cold: false,
      engagement_style: "deep_reader",
      experience_preference: "cognitive",
      visitor_type: { type: "Hobbyist", confidence: 0.2232 },
      trajectory: ["Forced Labor"],
    });
    expect(result.summary).toBe(
      "Engaged with 2 stories: 2 held attention, 0 dismissed. Reads to about 100% of the estimated time, finishing 100%. " +
        "Strongest pull toward forced labor (2), personal stories (2), work detail (1). Recent path: Forced Labor. " +
        "Reads stories through to the end; reads like a hobbyist.",
    );
    const plain = (await (await call("/usermodel/explain?user_id=visitor-b")).json()) as {
      result: Record<string, unknown>;
    };
    expect(plain.result.summary).toBeUndefined();
  });

  it("null for an unknown visitor; 422 without user_id or with a bad verbalize; 401 without the key", async () => {
    const { call } = service();
    expect(await (await call("/usermodel/explain?user_id=nobody")).json()).toEqual({ result: null });
    expect((await call("/usermodel/explain")).status).toBe(422);
    const bad = await call("/usermodel/explain?user_id=x&verbalize=maybe");
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
      "verbalize",
    );
    expect((await call("/usermodel/explain?user_id=x", {}, null)).status).toBe(401);
  });
});

describe("history, extras and past answers (docs/behaviour.md §6.17)", () => {
  it("history, extras and served/explain for the Appendix B visitor; 422 and 401 as for every guarded route", async () => {
    const { call } = service();
    const calls = [
      ...rudderstackViews("visitor-b", "101", 120, "next_button", BB_NOW - HOUR),
      ...rudderstackViews("visitor-b", "102", 120, "next_button", BB_NOW - HOUR),
      {
        type: "track",
        event: "SURVEY_SUBMITTED",
        userId: "visitor-b",
        timestamp: new Date(BB_NOW - HOUR / 2).toISOString(),
        properties: {
          answers: [
            { question_id: "q:age", answer_value: "25_34" },
            { question_id: "q:personalization_area", answer_value: "AiARLocationBarrack3" },
            { question_id: "q:personalization_interest", answer_value: "201" },
            { question_id: "q:visit_feedback", answer_value: 4 },
          ],
        },
      },
    ];
    expect((await call("/ingest", { method: "POST", body: JSON.stringify(calls) })).status).toBe(200);

    const historyRes = await call("/usermodel/history?user_id=visitor-b&limit=3");
    expect(historyRes.status).toBe(200);
    const history = (
      (await historyRes.json()) as {
        result: {
          event_count: number;
          events: { event: string }[];
          aggregates: { content_id: string; outcome: string; title: string }[];
          sessions: unknown[];
        };
      }
    ).result;
    expect(history.event_count).toBe(5);
    expect(history.events.map((e) => e.event)).toEqual([
      "SURVEY_SUBMITTED",
      "CONTENT_VIEW_ENDED",
      "CONTENT_VIEW_ENDED",
    ]);
    expect(history.aggregates.map((a) => [a.content_id, a.outcome])).toEqual([
      ["101", "positive"], // the same last time: ties keep the order the items were first seen in
      ["102", "positive"],
    ]);
    expect(history.sessions).toHaveLength(1);
    expect((await call("/usermodel/history?user_id=visitor-b&limit=0")).status).toBe(422);

    const extras = (
      (await (await call("/usermodel/extras?user_id=visitor-b")).json()) as {
        result: { surveys: { answers: Record<string, unknown> }; model: Record<string, unknown> };
      }
    ).result;
    expect(extras.surveys).toMatchObject({
      demographic: { "q:age": "25_34" },
      personalization: {
        "q:personalization_area": "Barrack 3",
        "q:personalization_interest": "Children in the women's camp",
      },
      feedback: { "q:visit_feedback": 4 },
      background: {},
      other: {},
      completed_demographic: true,
      completed_personalization: true,
      answer_count: 4,
    });
    expect(extras.model).toMatchObject({
      counts: { positives: 2, negatives: 0, viewed: 2 },
      is_cold: false,
      liked_content: [
        { id: "101", title: "Forced labour in the textile workshop", weight: 0.777 },
        { id: "102", title: "Construction work detail", weight: 0.777 },
      ],
    });
    expect((extras.model.tag_affinity as { key: string }[])[0]).toEqual({
      key: "theme_what:forced labor",
      weight: 1,
    });
    expect(extras.model.disliked_content).toEqual([]);
    // taste = axis 0; 101 and 102 are seen, so 103 (the third Forced Labor item) is the nearest
    expect((extras.model.taste_neighbours as { id: string; similarity: number }[])[0]).toEqual({
      id: "103",
      title: "Armament factory labour",
      similarity: 1,
    });
    expect(await (await call("/usermodel/extras?user_id=nobody")).json()).toEqual({ result: null });

    const served = (
      (await (await call("/recommend?user_id=visitor-b&seed=1", {}, null)).json()) as {
        result: { request_id: string };
      }
    ).result;
    const explained = (
      (await (await call(`/served/explain?request_id=${served.request_id}`)).json()) as {
        result: {
          user_id: string;
          items: { id: string; tag_overlap: { key: string }[] }[];
          user_model: { visitor_type: { type: string } };
        };
      }
    ).result;
    expect(explained.user_id).toBe("visitor-b");
    expect(explained.user_model.visitor_type.type).toBe("Hobbyist");
    const first = explained.items.find((i) => i.id === "103")!;
    expect(first.tag_overlap.map((t) => t.key)).toContain("theme_what:forced labor");
    expect(await (await call("/served/explain?request_id=unknown")).json()).toEqual({
      result: null,
      detail: "no served list with this request_id",
    });
    for (const path of [
      "/usermodel/history?user_id=x",
      "/usermodel/extras?user_id=x",
      "/served/explain?request_id=x",
    ])
      expect((await call(path, {}, null)).status).toBe(401);
  });
});

describe("operators' look-ups (X-Recsys-Operator)", () => {
  it("with the key, a look-up is answered and not recorded; without the key the header is ignored", async () => {
    const { components, call } = service();
    const lookUp = await call("/recommend?user_id=someone", { headers: { "x-recsys-operator": "1" } });
    expect(lookUp.status).toBe(200);
    expect(await components.servedLog.recent()).toEqual([]);
    const anonymous = await call(
      "/recommend?user_id=someone",
      { headers: { "x-recsys-operator": "1" } },
      null,
    );
    expect(anonymous.status).toBe(200);
    expect((await components.servedLog.recent()).map((e) => e.user_id)).toEqual(["someone"]);
  });
});

describe("read models for operations (docs/behaviour.md §6.18)", () => {
  it("visitors, content stats and one item, kept on ingest and exact under re-delivery", async () => {
    const { call } = service();
    const visitorB = [
      ...rudderstackViews("visitor-b", "101", 120, "next_button", BB_NOW - HOUR),
      ...rudderstackViews("visitor-b", "102", 120, "next_button", BB_NOW - HOUR),
    ];
    const visitorC = [
      ...rudderstackViews("visitor-c", "101", 2, "close_button", BB_NOW - HOUR / 2),
      ...rudderstackViews("visitor-c", "201", 60, "next_button", BB_NOW - HOUR / 2, 2),
    ];
    for (const body of [visitorB, visitorC, visitorB, visitorC.slice(0, 2)]) // re-deliveries
      expect((await call("/ingest", { method: "POST", body: JSON.stringify(body) })).status).toBe(200);

    const users = (
      (await (await call("/users?limit=10")).json()) as {
        result: { user_id: string; n_views: number; n_liked: number; cold: boolean }[];
      }
    ).result;
    expect(users.map((u) => [u.user_id, u.n_views, u.n_liked, u.cold])).toEqual([
      ["visitor-c", 2, 1, false],
      ["visitor-b", 2, 2, false],
    ]);
    const stats = (
      (await (await call("/content/stats?limit=2")).json()) as {
        result: { users: number; content: Record<string, unknown>[]; themes: [string, number][] };
      }
    ).result;
    expect(stats.users).toBe(2);
    expect(stats.content[0]).toEqual({
      content_id: "101",
      title: "Forced labour in the textile workshop",
      views: 2,
      users: 2,
      avg_dwell: 61,
      positive: 1,
      positive_rate: 0.5,
    });
    expect(stats.content[1]).toMatchObject({ content_id: "201", views: 2, users: 1, avg_dwell: 60 });
    expect(stats.themes[0]).toEqual(["theme_how.type_of_stores:personal stories", 4]);

    const item = (
      (await (await call("/content/102")).json()) as {
        result: { content: { title: string }; stats: { views: number } };
      }
    ).result;
    expect(item.content.title).toBe("Construction work detail");
    expect(item.stats.views).toBe(1);
    const unseen = ((await (await call("/content/302")).json()) as { result: { stats: unknown } }).result;
    expect(unseen.stats).toBeNull();
    expect((await call("/content/nope")).status).toBe(404);
    expect((await call("/users?limit=0")).status).toBe(422);
    for (const path of ["/users", "/content/stats", "/content/101"])
      expect((await call(path, {}, null)).status).toBe(401);
  });
});

describe("read models never fail an ingest", () => {
  it("a failing activity store is logged once; the events and models are stored and the ingest answers 200", async () => {
    const components = embeddedComponents();
    const logs: Record<string, unknown>[] = [];
    let calls = 0;
    components.activity.record = async () => {
      calls += 1;
      throw new Error("activity down");
    };
    const app = createApp(components, { dev: true, clock: () => BB_NOW, logger: (e) => logs.push(e) });
    const body = [
      ...rudderstackViews("down-a", "101", 120, "next_button", BB_NOW - HOUR),
      ...rudderstackViews("down-b", "102", 120, "next_button", BB_NOW - HOUR),
    ];
    const res = await app.request("/recsys/api/ingest", { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ingested: 4, users: ["down-a", "down-b"] });
    expect(calls).toBe(2);
    expect((await components.modelStore.getSignals("down-a"))?.positives).toHaveProperty("101");
    expect((await components.modelStore.getSignals("down-b"))?.positives).toHaveProperty("102");
    const warnings = logs.filter((e) => e.msg === "could not record visitor activity");
    expect(warnings).toEqual([
      { level: "warn", msg: "could not record visitor activity", error: "Error: activity down" },
    ]);
  });
});
