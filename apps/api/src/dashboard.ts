import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

// The operator dashboard (docs/behaviour.md §6.19): built by scripts/build-dashboard.mjs into
// dist/dashboard/ (Preact, htm and Chart.js bundled by esbuild) and served from the package's own files.

const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

/** The built dashboard's folder: beside this module when running from dist, else the package's dist. */
function folder(): URL | null {
  for (const candidate of ["./dashboard/", "../dist/dashboard/"]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(new URL("index.html", url)))) return url;
  }
  return null;
}

let cache: Map<string, Buffer> | null = null;
function file(name: string): Buffer | null {
  if (!(name in FILES)) return null;
  if (!cache) {
    const dir = folder();
    if (!dir) return null;
    cache = new Map(Object.keys(FILES).map((f) => [f, readFileSync(fileURLToPath(new URL(f, dir)))]));
  }
  return cache.get(name) ?? null;
}

/**
 * `GET {path}` (the page) and `GET {path}/{app.js,style.css}`; 404 with a hint when the dashboard was not
 * built (`pnpm build`). The page is public: every number on it comes from guarded routes, called with the
 * key the operator enters once.
 * @param path - where the page is served (`{base}/dashboard`)
 */
export function dashboardRoutes(path: string): Hono {
  const send = (name: string, headers: Record<string, string> = {}) => {
    const body = file(name);
    if (!body) return new Response("the dashboard is not built: run pnpm build", { status: 404 });
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: { "content-type": FILES[name]!, "cache-control": "no-cache", ...headers },
    });
  };
  return new Hono()
    .get(path, () => send("index.html", { "content-security-policy": CSP }))
    .get(`${path}/:file`, (c) => send(c.req.param("file")));
}
