// The work the instructions benchmark counts (bench/instructions.bench.ts runs this file under valgrind):
// the built service on the embedded BB fixtures, in this process, doing `count` units of one kind.
// Plain JavaScript on the built packages, so valgrind counts the service, not a TypeScript loader.
//   node bench/instructions-target.mjs <ingest|recommend|health> <count>
import { rudderstackViews } from "@recsys/fakes";
import { buildComponents, createApp } from "../dist/index.js";

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
const components = await buildComponents({}, {});
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
for (let i = 0; i < count; i++) {
  if (kind === "ingest")
    await send("/recsys/api/ingest", ingestBody(`load-${i}-`)); // ten new users each
  else if (kind === "recommend") await send("/recsys/api/recommend?user_id=warm-0");
  else await send("/health");
}
process.exit(0);
