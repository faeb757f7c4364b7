// The work the instructions benchmark counts (bench/instructions.bench.ts runs this file under valgrind):
// the built service on the embedded BB fixtures, in this process, doing `count` units of one kind.
// Plain JavaScript on the built packages, so valgrind counts the service, not a TypeScript loader.
//   node bench/instructions-target.mjs <ingest|recommend|turn|health> <count>
//   REDIS_URL=… node bench/instructions-target.mjs <redis-ingest|redis-turn|…> <count>
import { rudderstackViews } from "@recsys/fakes";
import { buildComponents, createApp } from "../dist/index.js";

const [kindText, countText] = process.argv.slice(2);
const count = Number(countText);
// `redis-<kind>`: the same unit on Redis stores (REDIS_URL, a key prefix of this run's own).
const redis = kindText.startsWith("redis-");
const kind = redis ? kindText.slice("redis-".length) : kindText;
const env = redis
  ? { REDIS_URL: process.env.REDIS_URL, RECSYS_REDIS_PREFIX: `instructions-${process.pid}-${Date.now()}` }
  : {};
const components = await buildComponents({}, env);
const app = createApp(components, { dev: true, logger: () => {} });
// Events of the last minutes, inside the event window whatever the date.
const now = Date.now();

/** A 100-event ingest body: users `${prefix}0` … `${prefix}9`, five full reads each. */
function ingestBody(prefix) {
  const events = [];
  for (let u = 0; u < 10; u++)
    for (let v = 0; v < 5; v++)
      events.push(
        ...rudderstackViews(`${prefix}${u}`, `${101 + v}`, 30, "next_button", now - (v + 1) * 60_000),
      );
  return JSON.stringify(events);
}

async function send(path, body) {
  const init =
    body === undefined ? {} : { method: "POST", body, headers: { "content-type": "application/json" } };
  const res = await app.request(path, init);
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  await res.arrayBuffer();
}

// Warm users for the recommend unit (warm-0 … warm-9, five reads each), made whatever the kind, so every
// run does the same set-up work.
await send("/recsys/api/ingest", ingestBody("warm-"));
// For the users-in-turn unit: TURN_USERS users (three deep reads each, of catalogue items in turn), then
// TURN_WARM_UP of them asked for once, so the store's kept answers are past their bound (10,000 keys) when
// the counted requests begin; each counted request is then a user's first, as in the load benchmark's rows
// of users in turn. Made only for this kind (the same in every run of it).
const TURN_USERS = 4400;
const TURN_WARM_UP = 3400;
if (kind === "turn") {
  const [all = []] = await components.contentStore.query([{ kind: "sample", limit: 100 }]);
  const items = all.map((hit) => hit.id).sort();
  for (let first = 0; first < TURN_USERS; first += 200) {
    const events = [];
    for (let u = first; u < first + 200; u++)
      for (let k = 0; k < 3; k++)
        events.push(
          ...rudderstackViews(
            `turn-${u}`,
            items[(u + k) % items.length],
            120,
            "next_button",
            now - (k + 1) * 600_000,
          ),
        );
    await send("/recsys/api/ingest", JSON.stringify(events));
  }
  for (let u = 0; u < TURN_WARM_UP; u++) await send(`/recsys/api/recommend?user_id=turn-${u}`);
}
for (let i = 0; i < count; i++) {
  if (kind === "ingest")
    await send("/recsys/api/ingest", ingestBody(`load-${i}-`)); // ten new users each
  else if (kind === "recommend") await send("/recsys/api/recommend?user_id=warm-0");
  else if (kind === "turn") await send(`/recsys/api/recommend?user_id=turn-${TURN_WARM_UP + i}`);
  else await send("/health");
}
process.exit(0);
