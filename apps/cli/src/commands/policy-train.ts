import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { CliError } from "../errors.js";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import { loadConfig, parseNow, required } from "./options.js";

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "served-log": { type: "string" },
      events: { type: "string" },
      out: { type: "string" },
      config: { type: "string" },
      weight: { type: "string" },
      now: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return printHelp(command, io);
  const { joinServedWithEvents, LinUcb, policyStateFile, trainLinUcb } = await import("@recsys/core");
  const { readAllEvents, readServedLog } = await import("../served-log-file.js");
  const cfg = await loadConfig(values.config, io.env);
  const weight = values.weight === undefined ? 1 : Number(values.weight);
  if (!Number.isFinite(weight) || weight <= 0) throw new CliError("--weight must be a positive number");
  const { entries, skipped } = await readServedLog(required(values["served-log"], "served-log"));
  const events = await readAllEvents(required(values.events, "events"), parseNow(values.now));
  const lists = joinServedWithEvents(entries, events, cfg);
  const sums = trainLinUcb(lists, weight);
  const state = policyStateFile(cfg, sums);
  await writeFile(required(values.out, "out"), `${JSON.stringify(state)}\n`);
  const bandit = new LinUcb(cfg, sums);
  const impressions = lists.reduce((n, list) => n + list.impressions.length, 0);
  const clicked = lists.reduce((n, list) => n + list.impressions.filter((i) => i.clicked).length, 0);
  io.stdout.write(
    `${JSON.stringify({
      lists: lists.length,
      impressions,
      clicked,
      skipped_lines: skipped,
      n_updates: sums.n_updates,
      prior: bandit.prior,
      theta: bandit.theta,
      verdict: bandit.health().verdict,
      out: values.out,
    })}\n`,
  );
  return 0;
}

/** `recsys policy train`. */
export const command: CliCommand = {
  name: "policy train",
  summary: "fit the LinUCB ranking policy offline from a served log and events; write a state file",
  help: `Usage: recsys policy train --served-log F --events F --out STATE.json [--config F] [--weight W]

Joins every served list with the views that echoed its request id (docs/behaviour.md §6.14): each target
impression is one observation of its feature vector, with the view's engagement strength as the reward
(the nominal 150-word reading estimate, the longest dwell, the last end reason, the number of starts as
visits), or 0 when it was never opened. Training starts from the prior (the fusion weights of --config).
Writes the state (A and b with the prior included, alpha, ridge, n_updates, feature_order, prior), which
the service loads with RECSYS_BANDIT_STATE. Prints a summary: lists, impressions, θ, and the verdict.

Options:
  --served-log F      served lists: JSON Lines of served entries, or the service's RECSYS_EVENT_LOG_DIR
  --events F          events: RudderStack calls or canonical events (JSON Lines), or the log directory
  --out F             where the state file is written
  --config F          settings (fusion weights for the prior, bandit_ridge, bandit_alpha, engagement)
  --weight W          how much each observation counts (default 1)
  --now ISO           the clock for calls without a time (default: now)

Example:
  recsys policy train --served-log /var/lib/recsys/log --events /var/lib/recsys/log --out linucb.json`,
  run,
};
