// The API reference page in a real browser: Debian's chromium driven by playwright-core. Every operation
// renders, try-it on recommend returns 200, no request leaves the host, no console error, usable at 390 px.
// Screenshots are kept as test artefacts in apps/api/test-artifacts/.
import { join } from "node:path";
import { BB_NOW, rudderstackViews } from "@recsys/fakes";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artefacts, chromiumAvailable, launchChromium, watchedPage } from "./browser.js";
import { embeddedComponents, post, type Running, startServer } from "./helpers.js";

const available = chromiumAvailable;

describe.skipIf(!available)(
  available
    ? "the API reference page in chromium"
    : "the API reference page in chromium (skipped: /usr/bin/chromium is not installed)",
  () => {
    let server: Running;
    let browser: Browser;
    beforeAll(async () => {
      server = await startServer(embeddedComponents(), { clock: () => BB_NOW });
      await post(
        `${server.url}/recsys/api/ingest`,
        rudderstackViews("visitor-b", "101", 120, "next_button", BB_NOW - 3_600_000),
      );
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    async function open(width: number) {
      const { page, outside, errors } = await watchedPage(browser, width);
      await page.goto(`${server.url}/recsys/docs`);
      await page.waitForSelector(".opblock", { timeout: 30_000 });
      return { page, outside, errors };
    }

    it("renders every operation; try-it on recommend returns 200; nothing leaves the host; no console error", async () => {
      const spec = (await (await fetch(`${server.url}/recsys/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).length, 0);
      const { page, outside, errors } = await open(1280);
      expect(await page.locator(".opblock").count()).toBe(operations);
      await page.screenshot({ path: join(artefacts, "docs-1280.png"), fullPage: true });

      const recommend = page.locator("#operations-serve-recommend");
      await recommend.locator(".opblock-summary").click();
      await recommend.locator('input[placeholder="user_id"]').fill("visitor-b");
      await recommend.locator("button.execute").click();
      const status = recommend.locator(".live-responses-table tbody .response-col_status").first();
      await status.waitFor({ timeout: 20_000 });
      expect((await status.textContent())?.trim()).toBe("200");
      expect(await recommend.locator(".live-responses-table .microlight").first().textContent()).toContain(
        '"strategy": "warm"',
      );
      await page.screenshot({ path: join(artefacts, "docs-try-it.png"), fullPage: false });
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);

    it("is usable at 390 px wide: no horizontal scrolling, operations readable", async () => {
      const { page, outside, errors } = await open(390);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      const box = await page.locator(".opblock").first().boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(artefacts, "docs-390.png"), fullPage: true });
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  },
);
