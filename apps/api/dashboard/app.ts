// The operator dashboard (docs/behaviour.md §6.19): Preact with htm for the views, Chart.js for the
// charts, bundled by esbuild at build time and served by the service itself (no CDN). Every number comes
// from the service's own routes; the API key is entered once and kept in localStorage, and so is the
// tenant chosen with the global key (a tenant's key is pinned to its tenant: no picker).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Colors,
  Legend,
  LinearScale,
  Tooltip,
} from "chart.js";
import { html } from "htm/preact";
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, Colors);

const base = location.pathname.replace(/\/dashboard\/?$/, "");
// Answers of the service's routes, read loosely: the page only displays them.
// biome-ignore lint/suspicious/noExplicitAny: JSON from the service, displayed as it comes
type Json = Record<string, any>;

async function api(path: string, init: RequestInit = {}): Promise<Json> {
  const key = localStorage.getItem("recsys-key") ?? "";
  const tenant = localStorage.getItem("recsys-tenant") ?? "";
  const res = await fetch(`${base}/api${path}`, {
    ...init,
    headers: {
      "content-type": "application/json",
      ...(key ? { "x-api-key": key } : {}),
      ...(tenant ? { "x-tenant-id": tenant } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const body = (await res.json()) as Json;
  if (!res.ok)
    throw Object.assign(new Error(body.error?.message ?? res.statusText), { body, status: res.status });
  return body;
}

function BarChart(props: {
  id: string;
  labels: string[];
  datasets: { label: string; data: number[] }[];
  stacked?: boolean;
  horizontal?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      type: "bar",
      data: { labels: props.labels, datasets: props.datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: props.horizontal ? "y" : "x",
        scales: { x: { stacked: props.stacked ?? false }, y: { stacked: props.stacked ?? false } },
      },
    });
    return () => chart.destroy();
  }, [JSON.stringify(props)]);
  return html`<div class="chart"><canvas id=${props.id} ref=${canvas}></canvas></div>`;
}

const SCORERS = ["semantic", "affinity", "tag", "recency", "aversion", "geo"];

function Recommendations(props: { items: Json[]; id: string }) {
  return html`
    <ol class="recs" data-testid=${props.id}>
      ${props.items.map(
        (item) => html`<li data-id=${item.id}>
          <span class=${item.role === "distractor" ? "distractor" : ""}>
            ${item.content?.title ?? item.id}${item.role === "distractor" ? " (distractor)" : ""}
          </span>
          <span> · ${Number(item.relevance_score).toFixed(3)}</span>
          <div class="reason">${item.reason ?? ""}</div>
        </li>`,
      )}
    </ol>
    <${BarChart}
      id=${`${props.id}-breakdown`}
      stacked=${true}
      labels=${props.items.map((i) => i.content?.title ?? i.id)}
      datasets=${SCORERS.map((s) => ({ label: s, data: props.items.map((i) => i.breakdown?.[s] ?? 0) }))}
    />`;
}

function Visitor() {
  const [user, setUser] = useState("");
  const [data, setData] = useState<Json | null>(null);
  const [error, setError] = useState("");
  const load = async () => {
    setError("");
    try {
      const [persona, extras, rec] = await Promise.all([
        api(`/usermodel/explain?user_id=${encodeURIComponent(user)}&verbalize=true`),
        api(`/usermodel/extras?user_id=${encodeURIComponent(user)}`),
        // an operator's look-up: not logged as a served list, not counted in CTR
        api(`/recommend?user_id=${encodeURIComponent(user)}`, { headers: { "x-recsys-operator": "1" } }),
      ]);
      setData({ persona: persona.result, extras: extras.result, rec: rec.result });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const model = data?.extras?.model;
  return html`
    <section data-testid="visitor">
      <h2>Visitor</h2>
      <label>User id <input data-testid="user" value=${user} onInput=${(e: Event) => setUser((e.target as HTMLInputElement).value)} /></label>
      <button class="primary" data-testid="lookup" onClick=${load}>Look up</button>
      ${error && html`<p class="error">${error}</p>`}
      ${data?.persona && html`<p data-testid="summary">${data.persona.summary}</p><p>${data.persona.visitor_type.type}, confidence ${data.persona.visitor_type.confidence}</p>`}
      ${
        model &&
        html`<h3>Interests and aversions</h3>
        <${BarChart}
          id="affinity"
          horizontal=${true}
          labels=${[...model.tag_affinity, ...model.tag_aversion].map((t: Json) => t.key)}
          datasets=${[{ label: "weight", data: [...model.tag_affinity.map((t: Json) => t.weight), ...model.tag_aversion.map((t: Json) => -t.weight)] }]}
        />
        <h3>Liked</h3>
        <ul data-testid="liked">${model.liked_content.map((c: Json) => html`<li>${c.title ?? c.id} (${c.weight})</li>`)}</ul>
        <h3>Disliked</h3>
        <ul data-testid="disliked">${model.disliked_content.length === 0 ? html`<li>none</li>` : model.disliked_content.map((c: Json) => html`<li>${c.title ?? c.id} (${c.weight})</li>`)}</ul>
        <h3>Taste neighbours</h3>
        <ul data-testid="neighbours">${model.taste_neighbours.map((c: Json) => html`<li>${c.title ?? c.id} (${c.similarity})</li>`)}</ul>`
      }
    </section>
    ${
      data?.rec &&
      html`<section data-testid="recommendations"><h2>Recommendations (${data.rec.strategy})</h2><${Recommendations} id="recs" items=${data.rec.items} /></section>`
    }
    ${data?.extras && html`<${WhatIf} extras=${data.extras} />`}`;
}

function WhatIf(props: { extras: Json }) {
  const [weights, setWeights] = useState<Record<string, number>>({
    semantic: 0.2,
    affinity: 0.1,
    tag: 0.45,
    recency: 0.05,
    aversion: -0.3,
    geo: 0.2,
  });
  const [lambda, setLambda] = useState(0.7);
  const [distractor, setDistractor] = useState(true);
  const [items, setItems] = useState<Json[]>([]);
  useEffect(() => {
    const model = props.extras.model;
    const profile = {
      tag_affinity: Object.fromEntries(model.tag_affinity.map((t: Json) => [t.key, t.weight])),
      like_items: model.liked_content.map((c: Json) => c.id),
      settings: { fusion: weights, mmr_lambda: lambda, distractor_enabled: distractor },
    };
    let live = true;
    void api("/recommend/preview?seed=1", { method: "POST", body: JSON.stringify(profile) }).then(
      (r) => live && setItems(r.result.items),
      () => live && setItems([]),
    );
    return () => {
      live = false;
    };
  }, [JSON.stringify([weights, lambda, distractor, props.extras.model.liked_content])]);
  return html`<section data-testid="whatif">
    <h2>What if</h2>
    ${Object.keys(weights).map(
      (name) => html`<label>${name} ${weights[name]!.toFixed(2)}
        <input type="range" min="-1" max="1" step="0.05" data-testid=${`w-${name}`} value=${weights[name]}
          onInput=${(e: Event) => setWeights({ ...weights, [name]: Number((e.target as HTMLInputElement).value) })} /></label>`,
    )}
    <label>MMR λ ${lambda.toFixed(2)} <input type="range" min="0" max="1" step="0.05" value=${lambda} onInput=${(e: Event) => setLambda(Number((e.target as HTMLInputElement).value))} /></label>
    <label><input type="checkbox" checked=${distractor} onChange=${(e: Event) => setDistractor((e.target as HTMLInputElement).checked)} /> distractor</label>
    <${Recommendations} id="whatif-recs" items=${items} />
  </section>`;
}

function Overview() {
  const [metrics, setMetrics] = useState<Json | null>(null);
  const [rates, setRates] = useState<{ recommends: number; ingests: number } | null>(null);
  const [stats, setStats] = useState<Json | null>(null);
  useEffect(() => {
    let last: { at: number; m: Json } | null = null;
    const poll = () =>
      void api("/metrics").then(
        (m) => {
          const now = Date.now();
          if (last) {
            const minutes = (now - last.at) / 60_000;
            setRates({
              recommends: (m.result.recommends - last.m.recommends) / minutes,
              ingests: (m.result.ingests - last.m.ingests) / minutes,
            });
          }
          last = { at: now, m: m.result };
          setMetrics(m.result);
        },
        () => {},
      );
    poll();
    const timer = setInterval(poll, 5000);
    void api("/content/stats?limit=10").then(
      (s) => setStats(s.result),
      () => {},
    );
    return () => clearInterval(timer);
  }, []);
  const clicks = (metrics?.feedback ?? []).reduce((a: number, g: Json) => a + g.clicks, 0);
  const shown = (metrics?.feedback ?? []).reduce((a: number, g: Json) => a + g.impressions, 0);
  const perMinute = (x: number | undefined) => (x === undefined ? "…" : x.toFixed(1));
  return html`<section data-testid="overview">
    <h2>Overview</h2>
    ${
      metrics &&
      html`<div>
      <span class="stat"><b>${perMinute(rates?.recommends)}</b>recommendations / min</span>
      <span class="stat"><b>${perMinute(rates?.ingests)}</b>events / min</span>
      <span class="stat"><b>${(metrics.cold_rate * 100).toFixed(0)}%</b>cold</span>
      <span class="stat"><b>${(metrics.distractor_rate * 100).toFixed(0)}%</b>with a distractor</span>
      <span class="stat"><b>${shown > 0 ? ((clicks / shown) * 100).toFixed(1) : "0.0"}%</b>CTR</span>
      <p>${metrics.recommends} recommendations and ${metrics.ingests} events since this process started.</p>
    </div>`
    }
    ${
      stats &&
      html`<h3>Most viewed (${stats.users} visitors)</h3>
      <${BarChart} id="content" labels=${stats.content.map((c: Json) => c.title ?? c.content_id)}
        datasets=${[{ label: "views", data: stats.content.map((c: Json) => c.views) }, { label: "visitors", data: stats.content.map((c: Json) => c.users) }]} />`
    }
  </section>`;
}

function Settings() {
  const [config, setConfig] = useState<Json | null>(null);
  const [patch, setPatch] = useState('{"mmr_lambda": 0.6}');
  const [message, setMessage] = useState("");
  const load = () => api("/config").then(setConfig);
  useEffect(() => void load(), []);
  const apply = async (reset: boolean) => {
    try {
      const r = reset
        ? await api("/config/reset", { method: "POST" })
        : await api("/config", { method: "PUT", body: patch });
      setConfig(r);
      setMessage(`applied: version ${r.version}`);
    } catch (e) {
      const body = (e as { body?: Json }).body;
      setMessage(
        body?.error ? `${body.error.details?.field ?? ""}: ${body.error.message}` : (e as Error).message,
      );
    }
  };
  return html`<section data-testid="settings">
    <h2>Settings ${config ? html`<small>(version ${config.version})</small>` : ""}</h2>
    <label>Change (a partial, JSON)<textarea data-testid="patch" rows="3" class="wide" value=${patch} onInput=${(e: Event) => setPatch((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <button class="primary" data-testid="apply" onClick=${() => apply(false)}>Apply</button>
    <button data-testid="reset" onClick=${() => apply(true)}>Reset</button>
    <p data-testid="settings-message" class=${message.startsWith("applied") ? "" : "error"}>${message}</p>
    ${
      config &&
      html`<h3>Override</h3><pre data-testid="config">${JSON.stringify(config.override, null, 2)}</pre>
      <h3>In use</h3><pre data-testid="effective">${JSON.stringify(config.result, null, 2)}</pre>`
    }
  </section>`;
}

/** Who the dashboard acts as, and (global key only) the tenants to choose from. */
function TenantPicker(props: { keyValue: string; tenant: string; onTenant: (id: string) => void }) {
  const [who, setWho] = useState<Json | null>(null);
  const [tenants, setTenants] = useState<Json[]>([]);
  useEffect(() => {
    api("/whoami")
      .then((r) => {
        setWho(r.result);
        // Only the global key may list the tenants.
        if (r.result.scope !== "global") return setTenants([]);
        return api("/tenants").then((t) => setTenants(t.result));
      })
      .catch((e) => {
        setWho(null);
        setTenants([]);
        // A tenant that no longer exists: back to the default one.
        if (e.status === 404 && props.tenant) props.onTenant("");
      });
  }, [props.keyValue, props.tenant]);
  return html`<span class="tenant">
    ${
      tenants.length > 1
        ? html`<select data-testid="tenant" value=${who?.tenant ?? "default"}
            onChange=${(e: Event) => props.onTenant((e.target as HTMLSelectElement).value)}>
            ${tenants.map((t) => html`<option value=${t.tenant_id}>${t.name}</option>`)}
          </select>`
        : ""
    }
    <small data-testid="whoami">${who ? `${who.tenant} · ${who.scope}` : ""}</small>
  </span>`;
}

function App() {
  const [tab, setTab] = useState("visitor");
  const [key, setKey] = useState(localStorage.getItem("recsys-key") ?? "");
  const [tenant, setTenant] = useState(localStorage.getItem("recsys-tenant") ?? "");
  const chooseTenant = (id: string) => {
    localStorage.setItem("recsys-tenant", id);
    setTenant(id);
  };
  const tabs: [string, string][] = [
    ["visitor", "Visitor"],
    ["overview", "Overview"],
    ["settings", "Settings"],
  ];
  return html`
    <header>
      <h1>recsys</h1>
      <nav>${tabs.map(([id, label]) => html`<button aria-selected=${tab === id} data-testid=${`tab-${id}`} onClick=${() => setTab(id)}>${label}</button>`)}</nav>
      <input type="password" placeholder="API key" data-testid="key" value=${key}
        onInput=${(e: Event) => {
          const v = (e.target as HTMLInputElement).value;
          setKey(v);
          localStorage.setItem("recsys-key", v);
        }} />
      <${TenantPicker} keyValue=${key} tenant=${tenant} onTenant=${chooseTenant} />
    </header>
    <main key=${`${key}|${tenant}`}>${tab === "visitor" ? html`<${Visitor} />` : tab === "overview" ? html`<${Overview} />` : html`<${Settings} />`}</main>`;
}

render(html`<${App} />`, document.getElementById("app")!);
