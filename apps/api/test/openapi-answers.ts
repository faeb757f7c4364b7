import Ajv2020 from "ajv/dist/2020.js";

type Spec = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};

/**
 * Check answers against the OpenAPI document: each one's JSON must match the schema the document gives
 * for its path, method and status (JSON Schema 2020-12, as OpenAPI 3.1 uses).
 * @param spec - the document
 * @param base - the server's origin
 * @param answers - what was received
 * @returns one line per answer that does not match (empty when all do), and how many were checked
 */
export function checkAnswers(
  spec: Spec,
  base: string,
  answers: readonly { method: string; url: string; status: number; body: unknown }[],
): { mismatches: string[]; checked: number } {
  const Ajv = (Ajv2020 as unknown as { default: typeof Ajv2020 }).default;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const mismatches: string[] = [];
  let checked = 0;
  for (const answer of answers) {
    if (!answer.url.startsWith(base)) continue;
    const path = new URL(answer.url).pathname;
    const operation = spec.paths[path]?.[answer.method.toLowerCase()];
    if (!operation) continue; // not a documented route (404s, the docs page)
    const schema = operation.responses[String(answer.status)]?.content?.["application/json"]?.schema;
    if (!schema) {
      mismatches.push(`${answer.method} ${path} ${answer.status}: status not documented`);
      continue;
    }
    const validate = ajv.compile(schema as object);
    checked += 1;
    if (!validate(answer.body)) {
      mismatches.push(
        `${answer.method} ${path} ${answer.status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
      );
    }
  }
  return { mismatches, checked };
}

/**
 * Assert that every answer recorded by the test helpers matches the OpenAPI document of a fresh server.
 * @param answers - the recorded answers
 * @param start - starts a server (its document is the one checked against) and returns it
 * @param minimum - fewer checked answers than this fails (the check must not pass vacuously)
 */
export async function expectAnswersMatchDocument(
  answers: readonly { method: string; url: string; status: number; body: unknown }[],
  start: () => Promise<{ url: string; close(): Promise<void> }>,
  minimum: number,
): Promise<void> {
  const { expect } = await import("vitest");
  const server = await start();
  try {
    const spec = (await (await fetch(`${server.url}/recsys/openapi.json`)).json()) as Spec;
    let checked = 0;
    // The file's servers came and went; their answers are all checked against the same document.
    for (const origin of new Set(answers.map((a) => new URL(a.url).origin))) {
      const result = checkAnswers(spec, origin, answers);
      expect(result.mismatches).toEqual([]);
      checked += result.checked;
    }
    expect(checked).toBeGreaterThan(minimum);
  } finally {
    await server.close();
  }
}
