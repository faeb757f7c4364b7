import { parseArgs } from "node:util";
import { type CliCommand, type CliIo, printHelp } from "./command.js";
import { required } from "./options.js";

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      catalog: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return printHelp(command, io);
  const { readCatalogFile, writePackedCatalog } = await import("@recsys/fakes");
  const catalog = required(values.catalog, "catalog");
  const out = required(values.out, "out");
  const started = performance.now();
  const written = await writePackedCatalog(await readCatalogFile(catalog), out);
  io.stdout.write(
    `${JSON.stringify({ out, ...written, seconds: Math.round(performance.now() - started) / 1000 })}\n`,
  );
  return 0;
}

/** `recsys catalog pack`. */
export const command: CliCommand = {
  name: "catalog pack",
  summary: "write a catalogue in the packed form (fast to load)",
  help: `Usage: recsys catalog pack --catalog F --out DIR

Writes the catalogue as a directory the service (RECSYS_CATALOG=DIR) and every command (--catalog DIR) load
without parsing JSON numbers: catalog.json (format, count, dimension), vectors.f32 (the vectors, float32
little-endian, row after row) and items.jsonl (id and payload per line). A 100,000 × 384 catalogue loads in
about a second instead of parsing some 300 MB of JSON.

Options:
  --catalog F         the catalogue (JSON Lines, a JSON array, or a packed directory)
  --out DIR           the directory to write (created)

Example:
  recsys catalog pack --catalog catalog.jsonl --out catalog.packed`,
  run,
};
