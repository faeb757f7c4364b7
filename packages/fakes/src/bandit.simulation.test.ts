import {
  attributeRewards,
  createSeededRandom,
  impressionsOf,
  learnFromRewards,
  normalizeEvents,
  Recommender,
  resolveConfig,
  SharedPolicy,
  UserModelUpdater,
} from "@recsys/core";
import { interactionEvent, type RecConfig, type UserSignals } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { BB_NOW } from "./bb-fixtures.js";
import { generateCatalog, generateEvents } from "./generate.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";
import { InMemoryFeedbackStore } from "./in-memory-feedback.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

const SESSIONS = 1000;
const RECENCY = 3; // the feature these users care about, in FEATURE_ORDER

/** A generated world: a catalogue and 50 users' models built from generated traffic. */
async function world() {
  const points = generateCatalog({ items: 600, dimension: 16, seed: 5, themes: 20 });
  const contentStore = InMemoryContentStore.fromPoints(points, { sampling: "ascending" });
  const calls = generateEvents({ catalog: points, users: 50, eventsPerUser: 40, endMs: BB_NOW, seed: 9 });
  const buffer = new InMemoryEventBuffer({ clock: () => BB_NOW });
  await buffer.append(normalizeEvents(calls, { now: BB_NOW }).events);
  const models = new InMemoryUserModelStore();
  const updater = new UserModelUpdater({ contentStore, modelStore: models, cfg: resolveConfig({}) });
  const users: UserSignals[] = [];
  for (let u = 1; u <= 50; u++) users.push(await updater.refresh(`user-${u}`, buffer, { now: BB_NOW }));
  return { contentStore, users };
}

/**
 * Simulated sessions: each shows a user a list; the user opens each shown item with a probability that
 * grows with its similarity to what they read last (the recency signal, which the static fusion weighs at
 * 0.05): opened items that match are read through (a positive reward), the rest are closed at once (a
 * negative one). Every view echoes the list's request id, through the real attribution path.
 */
async function simulate(cfg: RecConfig, seed: number) {
  const { contentStore, users } = await world();
  const feedback = new InMemoryFeedbackStore();
  const shared = new SharedPolicy(feedback);
  const recommender = new Recommender({
    contentStore,
    modelStore: new InMemoryUserModelStore(),
    cfg,
    rankingPolicies: { bandit: shared.policy },
  });
  const random = createSeededRandom(seed);
  let impressions = 0;
  let clicks = 0;
  for (let session = 0; session < SESSIONS; session++) {
    const user = users[Math.floor(random() * users.length)]!;
    const rec = await recommender.recommendForSignals(user, { random });
    const requestId = `s${session}`;
    await feedback.putImpressions(requestId, impressionsOf(rec));
    const views = [];
    for (const item of rec.items) {
      if (item.kind !== "recommendation") continue;
      impressions++;
      const signal = Math.max(0, item.features[RECENCY] ?? 0);
      if (random() >= signal ** 4) continue;
      clicks++;
      const liked = random() < signal;
      views.push(
        interactionEvent({
          user_id: user.user_id,
          event: "CONTENT_VIEW_ENDED",
          ts: new Date(BB_NOW).toISOString(),
          request_id: requestId,
          content_id: item.content_id,
          dwell_seconds: liked ? 240 : 2,
          end_reason: liked ? "next_button" : "close_button",
        }),
      );
    }
    const rewards = await attributeRewards(views, feedback, contentStore, cfg);
    if ((await learnFromRewards(rewards, feedback, cfg)) > 0) await shared.refresh();
  }
  return { impressions, clicks, ctr: clicks / impressions, learned: shared.sums.n_updates };
}

describe("simulation: users who follow the recency signal (docs/behaviour.md §6.12)", () => {
  it("the bandit's CTR over 1,000 sessions beats the static policy's", async () => {
    const base = { final_limit: 5, distractor_enabled: false, pool_per_generator: 30 };
    const fixed = await simulate(resolveConfig(base), 17);
    const bandit = await simulate(resolveConfig({ ...base, ranking_mode: "bandit", bandit_alpha: 0.1 }), 17);
    console.log(
      `simulation, ${SESSIONS} sessions: static CTR ${(fixed.ctr * 100).toFixed(1)} % (${fixed.clicks}/${fixed.impressions}), ` +
        `bandit CTR ${(bandit.ctr * 100).toFixed(1)} % (${bandit.clicks}/${bandit.impressions}, ${bandit.learned} updates), ` +
        `× ${(bandit.ctr / fixed.ctr).toFixed(2)}`,
    );
    expect(fixed.learned).toBe(0);
    expect(bandit.learned).toBeGreaterThan(100);
    expect(bandit.ctr).toBeGreaterThan(fixed.ctr * 1.1);
  }, 120_000);
});
