import { parseArgs } from "node:util";
import { CliError } from "../errors.js";
import type { EvalMetrics, EvalRecord } from "../scoring.js";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import {
  COMMON_HELP,
  integerOption,
  loadConfig,
  output,
  parseNow,
  prepare,
  required,
  SCORING_OPTIONS,
  scoreFile,
} from "./options.js";

const METRIC_ROWS: [keyof EvalMetrics, (k: number) => string][] = [
  ["users", () => "users evaluated"],
  ["hit_rate", (k) => `HR@${k}`],
  ["ndcg", (k) => `NDCG@${k}`],
  ["mrr", () => "MRR"],
  ["coverage", () => "coverage"],
  ["diversity", () => "diversity"],
  ["cold_share", () => "cold share"],
];

function evalTable(a: EvalMetrics, b: EvalMetrics | null, names: [string, string]): string {
  const fmt = (key: keyof EvalMetrics, value: number) => (key === "users" ? String(value) : value.toFixed(4));
  const rows = METRIC_ROWS.map(([key, label]) => {
    const cells = [label(a.k), fmt(key, a[key])];
    if (b) {
      const delta = b[key] - a[key];
      cells.push(fmt(key, b[key]), key === "users" ? "" : `${delta >= 0 ? "+" : ""}${delta.toFixed(4)}`);
    }
    return cells;
  });
  const header = ["metric", names[0], ...(b ? [names[1], "Δ"] : [])];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return `${[line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n`;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...SCORING_OPTIONS,
      k: { type: "string" },
      json: { type: "boolean" },
      compare: { type: "string" },
      "served-log": { type: "string" },
      policy: { type: "string" },
      eta: { type: "string" },
    },
    strict: true,
  });
  if (values.help) return printHelp(command, io);
  if (values["served-log"] !== undefined) return offPolicy(values, io);
  // Loaded on use, so `recsys --help` and other commands start fast.
  const { createPool } = await import("../pool.js");
  const { aggregateEval } = await import("../scoring.js");
  const k = integerOption(values.k, "k", 10, 1);
  const runOne = async (config: string | undefined) => {
    const prepared = await prepare(values, io, { k, ...(config ? { config } : {}) });
    const pool = await createPool(prepared.context, prepared.workers);
    const records: EvalRecord[] = [];
    try {
      await scoreFile(prepared, pool, "eval", io, (r) => {
        if (r) records.push(r as EvalRecord);
      });
    } finally {
      await pool.close();
    }
    return aggregateEval(records, k, await pool.catalogSize());
  };
  const out = await output(values, io);
  const a = await runOne(values.config);
  const b = values.compare ? await runOne(values.compare) : null;
  const names: [string, string] = [values.config ?? "default", values.compare ?? ""];
  if (values.json) {
    const body = b
      ? {
          [names[0]]: a,
          [names[1]]: b,
          difference: Object.fromEntries(METRIC_ROWS.map(([key]) => [key, b[key] - a[key]])),
        }
      : a;
    await out.write(`${JSON.stringify(body)}\n`);
  } else await out.write(evalTable(a, b, names));
  await out.close();
  return 0;
}

/** `recsys eval --served-log`: off-policy estimates of a candidate against the logging policy. */
async function offPolicy(
  values: {
    "served-log"?: string | undefined;
    events?: string | undefined;
    config?: string | undefined;
    policy?: string | undefined;
    eta?: string | undefined;
    k?: string | undefined;
    seed?: string | undefined;
    now?: string | undefined;
    json?: boolean | undefined;
  },
  io: CliIo,
): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const { candidateScore, joinServedWithEvents, offPolicyEstimate, sumsOfStateFile } = await import(
    "@recsys/core"
  );
  const { readAllEvents, readServedLog } = await import("../served-log-file.js");
  const cfg = await loadConfig(values.config, io.env);
  const k = integerOption(values.k, "k", 10, 1);
  const eta = values.eta === undefined ? 1 : Number(values.eta);
  if (!Number.isFinite(eta) || eta < 0) throw new CliError("--eta must be a number ≥ 0");
  let sums: ReturnType<typeof sumsOfStateFile> | undefined;
  if (values.policy) {
    try {
      sums = sumsOfStateFile(JSON.parse(await readFile(values.policy, "utf8")), cfg);
    } catch (error) {
      throw new CliError(
        `--policy ${values.policy}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const candidate = sums ? { ...cfg, ranking_mode: "bandit" as const } : cfg;
  const { entries } = await readServedLog(required(values["served-log"], "served-log"));
  const events = await readAllEvents(required(values.events, "events"), parseNow(values.now));
  const lists = joinServedWithEvents(entries, events, cfg);
  const report = offPolicyEstimate(lists, candidateScore(candidate, sums), {
    k,
    eta,
    seed: integerOption(values.seed, "seed", 1, 0),
  });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const fmt = (e: { value: number; interval: readonly [number, number] }) =>
    `${e.value.toFixed(4)}  [${e.interval[0].toFixed(4)}, ${e.interval[1].toFixed(4)}]`;
  io.stdout.write(
    [
      `lists ${report.lists}, matched impressions ${report.matched_impressions}, k ${k}, position bias η ${eta}`,
      `logging policy     reward/list ${fmt(report.logging.reward_per_list)}   CTR ${fmt(report.logging.ctr)}`,
      `candidate (IPS)    reward/list ${fmt(report.candidate.ips_reward_per_list)}   CTR ${fmt(report.candidate.ips_ctr)}`,
      `candidate (SNIPS)  reward/list ${fmt(report.candidate.snips_reward_per_list)}   CTR ${fmt(report.candidate.snips_ctr)}`,
      "",
    ].join("\n"),
  );
  return 0;
}

/** `recsys eval`. */
export const command: CliCommand = {
  name: "eval",
  summary: "leave-last-positive-out evaluation: HR@k, NDCG@k, MRR, coverage, diversity",
  help: `Usage: recsys eval --catalog F --events F [--k 10] [--json] [--compare F2] [options]
       recsys eval --served-log F --events F [--config F | --policy STATE.json] [--k 10] [--eta 1] [--json]

For every user with at least two positive items: hold out the most recent positive, build the model from
the events before its first interaction (with the clock at that moment), recommend, and score the list.

Metrics (means over evaluated users unless said otherwise):
  HR@k         1 when the held-out item is in the first k items, else 0
  NDCG@k       1 / log2(rank + 1) when the held-out item is at rank ≤ k, else 0
  MRR          1 / rank of the held-out item in the list, 0 when absent
  coverage     distinct items recommended to any user / catalogue size
  diversity    intra-list diversity: mean pairwise cosine distance (1 − cos) of a list's items
  cold share   share of users served by the cold-start path

With --served-log: off-policy estimates (docs/behaviour.md §6.14) of a candidate (the settings of
--config, or the LinUCB state of --policy, greedy) against the policy that served the logged lists: the
logged targets are re-ranked by the candidate and reweighted by the position-based examination model
1/rank^η; IPS and self-normalised IPS of reward per list and CTR, the number of matched impressions, and
95 % bootstrap intervals (1,000 resamples of the lists, --seed).

Options:
  --k N               the cut-off and list length (default 10)
  --served-log F      served lists (JSON Lines of served entries, or the service's RECSYS_EVENT_LOG_DIR)
  --policy F          a LinUCB state file (recsys policy train) as the candidate
  --eta X             position-bias exponent of the examination model (default 1)
  --json              machine-readable output
  --compare F2        also evaluate config F2 and show both with the difference per metric
${COMMON_HELP}

Example:
  recsys eval --catalog catalog.jsonl --events events.jsonl --config a.json --compare b.json --k 10`,
  run,
};
