// Shared by the browser tests: Debian's chromium driven by playwright-core (no browser download), and a
// page that records every request leaving the host and every console error.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** Whether it is installed (the browser tests skip, saying so, when it is not). */
export const chromiumAvailable = existsSync(CHROMIUM);
/** Where screenshots are kept as test artefacts. */
export const artefacts = join(import.meta.dirname, "..", "test-artifacts");

/** Launch headless chromium (and make the artefacts folder). */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(artefacts, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
}

/**
 * A new page of the given width that records requests leaving the host and console errors.
 * @param browser - the browser
 * @param width - the viewport width
 */
export async function watchedPage(
  browser: Browser,
  width: number,
): Promise<{ page: Page; outside: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const outside: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && url.hostname !== "127.0.0.1" && url.hostname !== "localhost")
      outside.push(request.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  return { page, outside, errors };
}
