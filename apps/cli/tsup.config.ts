import { defineConfig } from "tsup";

export default defineConfig({
  entry: { main: "src/main.ts", index: "src/index.ts", worker: "src/worker.ts" },
  format: "esm",
  tsconfig: "tsconfig.build.json",
  sourcemap: true,
  clean: true,
});
