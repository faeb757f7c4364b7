import { defineConfig } from "tsup";

export default defineConfig({
  entry: { server: "src/server.ts", index: "src/index.ts", "ingest-worker": "src/ingest-worker.ts" },
  format: "esm",
  tsconfig: "tsconfig.build.json",
  sourcemap: true,
  clean: true,
});
