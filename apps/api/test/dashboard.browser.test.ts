// The operator dashboard in a real browser: Debian's chromium driven by playwright-core, against two service
// processes sharing one Redis. Every panel renders, a weight slider re-ranks the what-if list, a settings
// change made on the page is served by the other process, bad settings show the field, no request leaves
// the host, no console error, readable at 390 px. Screenshots go to apps/api/test-artifacts/.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { startRedisServer, type TestRedisServer } from "@recsys/adapters-redis/testing";
import { rudderstackViews } from "@recsys/fakes";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artefacts, chromiumAvailable, launchChromium, watchedPage } from "./browser.js";
import { startProcess } from "./helpers.js";

const root = join(import.meta.dirname, "..");
const available = chromiumAvailable;
const KEY = "dashboard-key";

describe.skipIf(!available)(
  available
    ? "the dashboard in chromium"
    : "the dashboard in chromium (skipped: /usr/bin/chromium is not installed)",
  () => {
    let redis: TestRedisServer;
    let a: ReturnType<typeof startProcess>;
    let b: ReturnType<typeof startProcess>;
    let urlA: string;
    let urlB: string;
    let browser: Browser;
    beforeAll(async () => {
      execFileSync(process.execPath, [join(root, "scripts", "build-dashboard.mjs")]);
      redis = await startRedisServer();
      const env = { REDIS_URL: redis.url, RECSYS_REDIS_PREFIX: "dash", RECSYS_API_KEY: KEY };
      a = startProcess(env);
      b = startProcess(env);
      [urlA, urlB] = [await a.url, await b.url];
      const calls = [
        ...rudderstackViews("visitor-b", "101", 120, "next_button", Date.now() - 3_600_000),
        ...rudderstackViews("visitor-b", "102", 120, "next_button", Date.now() - 3_600_000),
      ];
      const res = await fetch(`${urlA}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body: JSON.stringify(calls),
      });
      expect(res.status).toBe(200);
      browser = await launchChromium();
    }, 90_000);
    afterAll(async () => {
      await browser?.close();
      for (const p of [a, b]) p?.child.kill("SIGTERM");
      await Promise.all([a, b].filter(Boolean).map(({ child }) => new Promise((r) => child.once("exit", r))));
      await redis?.stop();
    });

    /** A page that records requests leaving the host and console errors. */
    async function open(width: number): Promise<{ page: Page; outside: string[]; errors: string[] }> {
      const { page, outside, errors } = await watchedPage(browser, width);
      await page.goto(`${urlA}/dashboard`);
      await page.getByTestId("key").fill(KEY);
      return { page, outside, errors };
    }

    const order = (page: Page, list: string) =>
      page
        .locator(`[data-testid=${list}] li`)
        .evaluateAll((items) => items.map((li) => li.getAttribute("data-id")));

    it("shows a visitor: persona, model bars, recommendations with breakdown bars; a slider re-ranks the what-if list", async () => {
      const { page, outside, errors } = await open(1280);
      await page.getByTestId("user").fill("visitor-b");
      await page.getByTestId("lookup").click();
      await expect
        .poll(() => page.getByTestId("summary").textContent(), { timeout: 10_000 })
        .toMatch(/reads like a hobbyist/);
      expect(await page.locator("#affinity").count()).toBe(1);
      expect(await page.locator("[data-testid=liked] li").count()).toBe(2);
      expect(await page.locator("[data-testid=neighbours] li").first().textContent()).toMatch(
        /^Armament factory labour/,
      );
      expect(await page.locator("[data-testid=disliked] li").first().textContent()).toBe("none");
      await expect
        .poll(() => page.locator("[data-testid=recs] li").count(), { timeout: 10_000 })
        .toBeGreaterThan(0);
      expect(await page.locator("[data-testid=recs] .reason").first().textContent()).toMatch(/^Because/);
      expect(await page.locator("#recs-breakdown").count()).toBe(1);
      // the look-up is an operator's: not recorded as a served list, not counted
      const metricsA = await fetch(`${urlA}/api/metrics`, { headers: { "x-api-key": KEY } });
      expect(((await metricsA.json()) as { result: { recommends: number } }).result.recommends).toBe(0);
      await expect
        .poll(() => page.locator("[data-testid=whatif-recs] li").count(), { timeout: 10_000 })
        .toBeGreaterThan(2);
      const before = await order(page, "whatif-recs");
      await page.screenshot({ path: join(artefacts, "dashboard-visitor-1280.png"), fullPage: true });
      // tag weight down, semantic up: the Family and Liberation items (no shared tag, far in taste) reorder
      await page.getByTestId("w-tag").fill("-1");
      await page.getByTestId("w-semantic").fill("-1");
      await expect.poll(() => order(page, "whatif-recs"), { timeout: 10_000 }).not.toEqual(before);

      await page.getByTestId("tab-overview").click();
      await expect
        .poll(() => page.locator("[data-testid=overview] .stat").count(), { timeout: 10_000 })
        .toBe(5);
      await expect.poll(() => page.locator("#content").count(), { timeout: 10_000 }).toBe(1);
      await page.screenshot({ path: join(artefacts, "dashboard-overview-1280.png"), fullPage: true });
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);

    it("settings: a change made on the page is served by the other process within 2 s; a bad value names the field", async () => {
      const { page, outside, errors } = await open(1280);
      await page.getByTestId("tab-settings").click();
      await page.getByTestId("patch").fill('{"mmr_lambda": 2}');
      await page.getByTestId("apply").click();
      await expect
        .poll(() => page.getByTestId("settings-message").textContent(), { timeout: 10_000 })
        .toMatch(/^mmr_lambda: /);
      await page.getByTestId("patch").fill('{"mmr_lambda": 0.55}');
      await page.getByTestId("apply").click();
      await expect
        .poll(() => page.getByTestId("settings-message").textContent(), { timeout: 10_000 })
        .toMatch(/^applied: version 1$/);
      const changed = Date.now();
      await expect
        .poll(
          async () => {
            const res = await fetch(`${urlB}/api/config`, { headers: { "x-api-key": KEY } });
            return ((await res.json()) as { result: { mmr_lambda: number } }).result.mmr_lambda;
          },
          { timeout: 2000, interval: 100 },
        )
        .toBe(0.55);
      expect(Date.now() - changed).toBeLessThan(2000);
      await page.screenshot({ path: join(artefacts, "dashboard-settings-1280.png"), fullPage: true });
      expect(outside).toEqual([]);
      expect(errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
      await page.close();
    }, 60_000);

    it("with the global key, a tenant picker: each tenant's visitors only; a tenant's key has no picker", async () => {
      const admin = await fetch(`${urlA}/api/tenants`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        body: JSON.stringify({ tenant_id: "alpha", name: "Alpha site", generate_api_key: true }),
      });
      const alphaKey = ((await admin.json()) as { api_key: string }).api_key;
      const ingest = await fetch(`${urlA}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": alphaKey },
        body: JSON.stringify([
          ...rudderstackViews("visitor-alpha", "101", 120, "next_button", Date.now() - 3_600_000),
          ...rudderstackViews("visitor-alpha", "103", 120, "next_button", Date.now() - 3_600_000),
        ]),
      });
      expect(ingest.status).toBe(200);
      const { page, outside, errors } = await open(1280);
      const lookUp = async (user: string) => {
        await page.getByTestId("tab-visitor").click();
        await page.getByTestId("user").fill(user);
        await page.getByTestId("lookup").click();
        await expect
          .poll(() => page.locator("[data-testid=recs] li").count(), { timeout: 10_000 })
          .toBeGreaterThan(0);
      };
      await expect
        .poll(() => page.getByTestId("whoami").textContent(), { timeout: 10_000 })
        .toBe("default · global");
      // B learned of alpha within a second; the picker lists both tenants.
      await expect
        .poll(() => page.locator("[data-testid=tenant] option").count(), { timeout: 10_000 })
        .toBe(2);
      await page.getByTestId("tenant").selectOption("alpha");
      await expect
        .poll(() => page.getByTestId("whoami").textContent(), { timeout: 10_000 })
        .toBe("alpha · global");
      // default's visitor is unknown to alpha; alpha's own is shown
      await lookUp("visitor-b");
      expect(await page.getByTestId("summary").count()).toBe(0);
      await page.getByTestId("user").fill("visitor-alpha");
      await page.getByTestId("lookup").click();
      await expect.poll(() => page.getByTestId("summary").count(), { timeout: 10_000 }).toBe(1);
      await page.screenshot({ path: join(artefacts, "dashboard-tenant-alpha-1280.png"), fullPage: true });
      await page.getByTestId("tenant").selectOption("default");
      await expect
        .poll(() => page.getByTestId("whoami").textContent(), { timeout: 10_000 })
        .toBe("default · global");
      await lookUp("visitor-alpha");
      expect(await page.getByTestId("summary").count()).toBe(0);
      // A tenant's key: pinned, no picker.
      await page.getByTestId("key").fill(alphaKey);
      await expect
        .poll(() => page.getByTestId("whoami").textContent(), { timeout: 10_000 })
        .toBe("alpha · tenant");
      expect(await page.locator("[data-testid=tenant]").count()).toBe(0);
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);

    it("is readable at 390 px", async () => {
      const { page, outside, errors } = await open(390);
      await page.getByTestId("user").fill("visitor-b");
      await page.getByTestId("lookup").click();
      await expect
        .poll(() => page.getByTestId("summary").textContent(), { timeout: 10_000 })
        .toMatch(/hobbyist/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(artefacts, "dashboard-visitor-390.png"), fullPage: true });
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  },
);
