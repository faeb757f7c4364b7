import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    scoring: "src/entries/scoring.ts",
    model: "src/entries/model.ts",
    serve: "src/entries/serve.ts",
    taxonomy: "src/entries/taxonomy.ts",
    time: "src/entries/time.ts",
    config: "src/entries/config.ts",
  },
  format: "esm",
  dts: true,
  // The declaration build cannot use the composite project (tsup compiles entries, not the project).
  tsconfig: "tsconfig.build.json",
  sourcemap: true,
  clean: true,
});
