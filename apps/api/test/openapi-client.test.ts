// A typed client generated from the OpenAPI document with openapi-typescript compiles, and its types
// say what the API does (numeric query parameters are numbers, the answer has the recommendation's shape).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { embeddedComponents } from "./helpers.js";

const CLIENT = `import type { paths } from "./recsys";

type Recommend = paths["/recsys/api/recommend"]["get"];
type Query = NonNullable<Recommend["parameters"]["query"]>;
type Answer = Recommend["responses"][200]["content"]["application/json"];
type Ingest = paths["/recsys/v1/batch"]["post"];
type IngestBody = NonNullable<Ingest["requestBody"]>["content"]["application/json"];

export async function recommend(base: string, query: Query): Promise<string[]> {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const answer = (await (await fetch(\`\${base}/recsys/api/recommend?\${params}\`)).json()) as Answer;
  const strategy: "warm" | "cold" = answer.result.strategy;
  const scores: number[] = answer.result.items.map((item) => item.relevance_score);
  void strategy;
  void scores;
  return answer.result.items.map((item) => item.id);
}

export const query: Query = { user_id: "visitor-7", limit: 5, near_lat: 52.75, near_lon: 9.9, include_content: false };
// @ts-expect-error limit is a number, not text
export const wrong: Query = { user_id: "visitor-7", limit: "5" };
export const batch: IngestBody = {
  batch: [{ type: "track", event: "CONTENT_VIEW_STARTED", userId: "visitor-7", properties: { content: "content_101" } }],
};
`;

describe("a client generated with openapi-typescript", () => {
  it("compiles against the document, with typed parameters and answers", async () => {
    const app = createApp(embeddedComponents(), { logger: () => {} });
    const spec = (await (await app.request("/recsys/openapi.json")).json()) as Record<string, unknown>;
    const dir = mkdtempSync(join(tmpdir(), "recsys-client-"));
    try {
      writeFileSync(join(dir, "recsys.ts"), astToString(await openapiTS(spec as never)));
      writeFileSync(join(dir, "client.ts"), CLIENT);
      const program = ts.createProgram([join(dir, "client.ts")], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
        skipLibCheck: true,
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) =>
            `${d.file?.fileName.split("/").pop()}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
        );
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
