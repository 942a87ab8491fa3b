import type { Browser, Page } from 'puppeteer-core';
import { findChromium, launchChromium, requireChromium } from '../../lib/host/chromium.js';

/** The Chromium browser tests drive, or why they skip. */
export type TestChromium = { readonly path: string } | { readonly skip: string };

/**
 * The system Chromium, found as `report --pdf` finds it. Outside CI a machine
 * without one skips the browser tests (with the reason and the fix); in CI
 * (`CI` set) a missing Chromium is an error, so the tests fail instead.
 */
export async function testChromium(env: NodeJS.ProcessEnv = process.env): Promise<TestChromium> {
  if (env.CI) return { path: await requireChromium(env) };
  const path = await findChromium(env);
  return path !== undefined
    ? { path }
    : {
        skip: 'no Chromium found (PUPPETEER_EXECUTABLE_PATH, CHROME_PATH, chromium or google-chrome on PATH): install one with sudo apt-get install chromium or bash scripts/setup.sh',
      };
}

/** Starts the Chromium headless, as the CLI does. */
export const launchTestBrowser = (chromium: { readonly path: string }): Promise<Browser> =>
  launchChromium(chromium.path);

/** A page opened offline, with everything it tried and complained about. */
export interface OfflinePage {
  readonly page: Page;
  /** Every request for anything but a `file:` URL, aborted. */
  readonly blockedRequests: string[];
  /** Console messages of type `error` (a CSP violation, a failed load, a script error). */
  readonly consoleErrors: string[];
  /** Uncaught exceptions of the page. */
  readonly pageErrors: string[];
}

/**
 * Opens a `file:` URL in a new page of `viewport` size with every other
 * request aborted and recorded, the console's errors and the page's uncaught
 * errors collected; resolves once the page has loaded.
 */
export async function openOffline(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<OfflinePage> {
  const page = await browser.newPage();
  const opened: OfflinePage = { page, blockedRequests: [], consoleErrors: [], pageErrors: [] };
  await page.setViewport(viewport);
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url().startsWith('file:')) return void request.continue();
    opened.blockedRequests.push(request.url());
    return void request.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') opened.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => opened.pageErrors.push(String(error)));
  await page.goto(url, { waitUntil: 'load' });
  return opened;
}
