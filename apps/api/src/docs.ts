/**
 * The interactive API reference: one self-contained HTML page (inline style and script, no external URL)
 * that reads the OpenAPI document and lets you call every operation from the browser.
 * @param specUrl - where the OpenAPI document is served
 */
export function docsPage(specUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>recsys API reference</title>
<style>
  :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --accent: #2456c6; --bg: #f7f8fb; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
  header { padding: 20px 32px; background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { margin: 0; font-size: 22px; }
  header p { margin: 4px 0 0; color: var(--muted); }
  main { max-width: 980px; margin: 0 auto; padding: 24px 32px 64px; }
  .op { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 0 0 16px; }
  .op > summary { cursor: pointer; padding: 12px 16px; display: flex; gap: 12px; align-items: baseline; list-style: none; }
  .method { font: 600 12px/1 ui-monospace, monospace; padding: 5px 8px; border-radius: 4px; color: #fff; text-transform: uppercase; min-width: 56px; text-align: center; }
  .get { background: #1f7a4d; } .post { background: #2456c6; } .put { background: #a66300; } .delete { background: #b3261e; }
  .path { font: 600 14px ui-monospace, monospace; }
  .summary { color: var(--muted); }
  .body { padding: 0 16px 16px; border-top: 1px solid var(--line); }
  label { display: block; margin: 10px 0 2px; font-weight: 600; font-size: 13px; }
  label small { font-weight: 400; color: var(--muted); }
  input, textarea { width: 100%; padding: 7px 9px; border: 1px solid var(--line); border-radius: 6px; font: 13px ui-monospace, monospace; }
  textarea { min-height: 140px; }
  #apikey { margin-bottom: 20px; }
  button { margin-top: 12px; padding: 8px 16px; border: 0; border-radius: 6px; background: var(--accent); color: #fff; font-weight: 600; cursor: pointer; }
  pre { background: #0f1420; color: #e4e8f1; padding: 12px; border-radius: 6px; overflow: auto; max-height: 420px; font-size: 12.5px; }
  .status { font-weight: 600; margin-top: 12px; }
  .schema { color: var(--muted); font-size: 13px; }
</style>
</head>
<body>
<header><h1>recsys API reference</h1><p id="info">Loading the OpenAPI document…</p></header>
<main>
  <label for="apikey">X-API-Key <small>(sent with every request when filled in)</small></label>
  <input id="apikey" type="password" autocomplete="off">
  <div id="ops"></div>
</main>
<script>
(function () {
  var specUrl = ${JSON.stringify(specUrl)};
  var examples = {
    "/api/ingest": JSON.stringify([
      { type: "track", event: "CONTENT_VIEW_STARTED", userId: "visitor-1", timestamp: new Date(Date.now() - 120000).toISOString(), properties: { content: { content_id: "content_101" } } },
      { type: "track", event: "CONTENT_VIEW_ENDED", userId: "visitor-1", timestamp: new Date().toISOString(), properties: { content: { content_id: "content_101" }, details: { dwell_seconds: 120, reason: "next_button" } } }
    ], null, 2)
  };
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function render(spec) {
    document.getElementById("info").textContent = (spec.info && spec.info.title || "API") + " " + (spec.info && spec.info.version || "") + " · OpenAPI " + spec.openapi + (spec.info && spec.info.description ? " · " + spec.info.description : "");
    var root = document.getElementById("ops");
    Object.keys(spec.paths || {}).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var inputs = [];
        var body = el("div", { class: "body" });
        if (op.description) body.appendChild(el("p", { text: op.description }));
        (op.parameters || []).forEach(function (p) {
          var input = el("input", { name: p.name, placeholder: (p.schema && p.schema.type) || "" });
          inputs.push({ param: p, input: input });
          body.appendChild(el("label", {}, [document.createTextNode(p.name + (p.required ? " *" : " ")), el("small", { text: " " + (p.description || "") })]));
          body.appendChild(input);
        });
        var textarea = null;
        if (op.requestBody) {
          textarea = el("textarea", {});
          var key = Object.keys(examples).find(function (k) { return path.slice(-k.length) === k; });
          textarea.value = key ? examples[key] : "{}";
          body.appendChild(el("label", { text: "JSON body" }));
          body.appendChild(textarea);
        }
        var codes = Object.keys(op.responses || {}).map(function (code) { return code + " " + (op.responses[code].description || ""); });
        body.appendChild(el("p", { class: "schema", text: "Responses: " + codes.join(" · ") }));
        var status = el("div", { class: "status" });
        var out = el("pre", { text: "" });
        var button = el("button", { type: "button", text: "Send request" });
        button.addEventListener("click", function () {
          var query = new URLSearchParams();
          inputs.forEach(function (i) { if (i.input.value !== "") query.append(i.param.name, i.input.value); });
          var headers = {};
          var key = document.getElementById("apikey").value;
          if (key) headers["X-API-Key"] = key;
          var init = { method: method.toUpperCase(), headers: headers };
          if (textarea) { headers["Content-Type"] = "application/json"; init.body = textarea.value; }
          var url = path + (query.toString() ? "?" + query.toString() : "");
          status.textContent = "…";
          fetch(url, init).then(function (res) {
            return res.text().then(function (text) {
              status.textContent = res.status + " " + res.statusText + " · " + method.toUpperCase() + " " + url;
              try { out.textContent = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { out.textContent = text; }
            });
          }).catch(function (e) { status.textContent = "Request failed: " + e; });
        });
        body.appendChild(button);
        body.appendChild(status);
        body.appendChild(out);
        var summary = el("summary", {}, [el("span", { class: "method " + method, text: method }), el("span", { class: "path", text: path }), el("span", { class: "summary", text: op.summary || "" })]);
        root.appendChild(el("details", { class: "op" }, [summary, body]));
      });
    });
  }
  fetch(specUrl).then(function (r) { return r.json(); }).then(render).catch(function (e) {
    document.getElementById("info").textContent = "Could not load " + specUrl + ": " + e;
  });
})();
</script>
</body>
</html>
`;
}
