import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";

// The interactive API reference is Swagger UI (swagger-ui-dist, the maintained distribution of the
// OpenAPI Initiative's UI), served from the package's own files: no CDN, no request leaves the service.

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

/** The UI's files, read once when first asked for. */
let cache: Map<string, Buffer> | null = null;
function asset(name: string): Buffer | null {
  if (!(name in ASSETS)) return null;
  if (!cache) {
    const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
    cache = new Map(Object.keys(ASSETS).map((file) => [file, readFileSync(join(dir, file))]));
  }
  return cache.get(name) ?? null;
}

/** Starts the UI on the document named by the page (a script file of its own: the page's CSP allows no inline script). */
const INIT = `window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: true,
    displayOperationId: true,
    persistAuthorization: true,
    validatorUrl: null,
  });
});
`;

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

/**
 * The API reference page and its assets: `GET {docs}` and `GET {docs}/assets/*`.
 * @param specUrl - where the OpenAPI document is served
 * @param docsPath - where the page is served
 */
export function docsRoutes(specUrl: string, docsPath: string): Hono {
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>recsys API reference</title>
<link rel="icon" type="image/png" href="${docsPath}/assets/favicon-32x32.png">
<link rel="stylesheet" href="${docsPath}/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-spec="${specUrl}"></div>
<script src="${docsPath}/assets/swagger-ui-bundle.js"></script>
<script src="${docsPath}/assets/init.js"></script>
</body>
</html>
`;
  return new Hono()
    .get(docsPath, (c) => c.html(page, 200, { "content-security-policy": CSP }))
    .get(`${docsPath}/assets/init.js`, (c) =>
      c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }),
    )
    .get(`${docsPath}/assets/:file`, (c) => {
      const name = c.req.param("file");
      const body = asset(name);
      if (!body) return c.notFound();
      return c.body(new Uint8Array(body), 200, {
        "content-type": ASSETS[name]!,
        "cache-control": "public, max-age=86400",
      });
    });
}
