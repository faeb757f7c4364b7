import { defineConfig } from "vitest/config";

/** Shared vitest settings: resolve workspace packages to their TypeScript sources (no build needed). */
export default defineConfig({
  resolve: { conditions: ["@recsys/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@recsys/source", "module", "node", "default"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
