import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { safeParsePreviewSpec } from "@recsys/ports";
import { CliError } from "../errors.js";
import { tenantScope } from "../tenant.js";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import { loadConfig, RECOMMEND_OPTIONS_HELP, recommendOptions, required } from "./options.js";

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: "string" },
      catalog: { type: "string" },
      tenant: { type: "string" },
      config: { type: "string" },
      seed: { type: "string" },
      filter: { type: "string" },
      "near-lat": { type: "string" },
      "near-lon": { type: "string" },
      "geo-radius-m": { type: "string" },
      "include-content": { type: "string" },
      sampling: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return printHelp(command, io);
  const { previewSignals, Recommender, toRecommendationItems } = await import("@recsys/core");
  const { createBBContentStore, InMemoryContentStore, InMemoryUserModelStore, readCatalogFile } =
    await import("@recsys/fakes");
  const path = required(values.profile, "profile");
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new CliError(`--profile ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const spec = safeParsePreviewSpec(parsed);
  if (!spec.success) throw new CliError(`--profile ${path}: ${spec.message}`);
  const tenant = values.tenant ? await tenantScope(io.env, values.tenant) : null;
  const cfg = await loadConfig(values.config, io.env, tenant?.settings);
  const catalog = values.catalog ?? tenant?.catalog;
  if (values.sampling !== undefined && values.sampling !== "random" && values.sampling !== "ascending")
    throw new CliError("--sampling must be random or ascending");
  const sampling = { sampling: (values.sampling ?? "random") as "random" | "ascending" };
  const contentStore = catalog
    ? InMemoryContentStore.fromPoints(await readCatalogFile(catalog), {
        ...sampling,
        annThreshold: Number.POSITIVE_INFINITY,
      })
    : createBBContentStore(sampling);
  const { include_content: includeContent = true, ...options } = recommendOptions(values);
  const signals = await previewSignals(spec.output, contentStore, cfg);
  const recommender = new Recommender({ contentStore, modelStore: new InMemoryUserModelStore(), cfg });
  const rec = await recommender.recommendForSignals(signals, {
    ...options,
    ...(spec.output.limit !== null ? { limit: spec.output.limit } : {}),
  });
  io.stdout.write(
    `${JSON.stringify({
      user_id: rec.user_id,
      strategy: rec.strategy,
      items: toRecommendationItems(rec, { includeContent }),
      diagnostics: rec.diagnostics,
      user_model: signals,
    })}\n`,
  );
  return 0;
}

/** `recsys preview`. */
export const command: CliCommand = {
  name: "preview",
  summary:
    "recommend for a hand-authored profile (tag affinities, liked items, demographics); nothing stored",
  help: `Usage: recsys preview --profile F [--catalog F] [--tenant ID] [--config F] [--seed N] [options]

Builds a user model from the profile, as POST /api/recommend/preview does (docs/behaviour.md §6.16), and
prints the recommendation and the model as one JSON line. The profile is a JSON object:
  {"tag_affinity": {"theme_what:Family": 1}, "like_items": ["201"], "demographics": {}, "limit": 5}
Contents come from --catalog, else the BB dev fixtures.

Options:
  --profile F         the profile (JSON)
  --catalog F         catalogue: JSON Lines or a JSON array of {"id", "vector", "payload"}
  --tenant ID         a tenant of the service's registry: its settings and catalogue apply
  --config F          settings (partial, the reference's JSON names)
  --seed N            reproducible distractor decision and slot
  --sampling M        random (default) or ascending
${RECOMMEND_OPTIONS_HELP}

Example:
  recsys preview --profile family.json --seed 1`,
  run,
};
