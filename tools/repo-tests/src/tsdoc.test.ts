import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(entry) && !/\.test(-d)?\.ts$|\.test-support\.ts$/.test(entry) ? [path] : [];
  });
}

function isExported(node: ts.Node): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

function name(node: ts.Node): string {
  if (ts.isVariableStatement(node))
    return node.declarationList.declarations.map((d) => d.name.getText()).join(", ");
  return (node as ts.NamedDeclaration).name?.getText() ?? "(anonymous)";
}

describe("every public export of ports and core has TSDoc", () => {
  for (const pkg of ["ports", "core"]) {
    it(pkg, () => {
      const missing: string[] = [];
      let checked = 0;
      for (const file of sources(join(root, "packages", pkg, "src"))) {
        const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
        for (const node of source.statements) {
          if (!isExported(node)) continue;
          checked += 1;
          const docs = ts.getJSDocCommentsAndTags(
            ts.isVariableStatement(node) ? node.declarationList.declarations[0]! : node,
          );
          const text = docs.map((d) => d.getText()).join("");
          if (!/\/\*\*[\s\S]*?\w[\s\S]*?\*\//.test(text))
            missing.push(`${relative(root, file)}: ${name(node)}`);
        }
      }
      expect(checked).toBeGreaterThan(40);
      expect(missing).toEqual([]);
    });
  }
});
