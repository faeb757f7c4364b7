// Bundle the operator dashboard (dashboard/app.ts with Preact, htm and Chart.js) into dist/dashboard/, with
// its page and style: what the service serves at {base}/dashboard, from the package, no CDN.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "dashboard");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, "dashboard", "app.ts")],
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  outfile: join(out, "app.js"),
  logLevel: "warning",
});
for (const file of ["index.html", "style.css"]) copyFileSync(join(root, "dashboard", file), join(out, file));
