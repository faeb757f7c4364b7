import { parseArgs } from "node:util";
import { CliError } from "../errors.js";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import { integerOption, required } from "./options.js";

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      catalog: { type: "string" },
      url: { type: "string" },
      collection: { type: "string" },
      "batch-size": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return printHelp(command, io);
  // Loaded on use, so `recsys --help` and other commands start fast.
  const { importCatalog, qdrantContentStoreFromEnv } = await import("@recsys/adapters-qdrant");
  const { readCatalogFile } = await import("@recsys/fakes");
  const catalog = required(values.catalog, "catalog");
  const qdrant = qdrantContentStoreFromEnv(io.env, {
    url: values.url,
    collection: values.collection,
    defaultTimeoutMs: 30_000,
  });
  if (!qdrant) throw new CliError("--url or QDRANT_API_URL is required");
  const { client, collection } = qdrant;
  const points = await readCatalogFile(catalog);
  const written = await importCatalog(client, collection, points, {
    batchSize: integerOption(values["batch-size"], "batch-size", 256, 1),
    onProgress: (done, total) => io.stderr.write(`imported ${done}/${total} points\n`),
  });
  io.stdout.write(`${JSON.stringify({ collection, points: written })}\n`);
  return 0;
}

/** `recsys catalog import`. */
export const command: CliCommand = {
  name: "catalog import",
  summary: "upsert a catalogue into Qdrant (QDRANT_API_URL)",
  help: `Usage: recsys catalog import --catalog F [--url URL] [--collection C] [--batch-size N]

Creates the Qdrant collection (cosine, the catalogue's dimension) and its payload indexes if missing, then
upserts every point in batches with normalised tag_labels / tag_values. Idempotent. Progress on stderr.

Options:
  --url URL           Qdrant URL (default: QDRANT_API_URL); the API key comes from QDRANT_API_KEY
  --collection C      collection (default: QDRANT_COLLECTION, else omeka-items)
  --batch-size N      points per request (default 256)

Example:
  QDRANT_API_URL=http://127.0.0.1:6333 recsys catalog import --catalog catalog.jsonl`,
  run,
};
