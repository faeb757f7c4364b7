import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/testing/index.ts", "src/variables.ts"],
  format: "esm",
  dts: true,
  // The declaration build cannot use the composite project (tsup compiles entries, not the project).
  tsconfig: "tsconfig.build.json",
  sourcemap: true,
  clean: true,
  external: ["ioredis"],
});
