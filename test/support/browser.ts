// Real browser journeys: playwright-core driving Debian's Chromium against a real HTTP server.
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, Browser, BrowserContext, Page } from 'playwright-core';
import type { Express } from 'express';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** In CI a missing browser is a failure; on a developer's machine the journey is skipped. */
export const describeBrowser: jest.Describe =
  fs.existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** A phone-sized window (360 x 740) with touch. */
export function phoneContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, ...options });
}

export async function serve(app: Express): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export type Served = Awaited<ReturnType<typeof serve>>;

/** The start of every journey: the test app served over HTTP, and a Chromium to visit it. */
export async function openBrowserOn(app: Express): Promise<{ site: Served; browser: Browser }> {
  const site = await serve(app);
  try {
    return { site, browser: await launchBrowser() };
  } catch (error) {
    await site.close();
    throw error;
  }
}

/** Closes what a journey opened (as far as it got): the browser first, the test database last. */
export async function closeJourney(opened: { browser?: Browser; site?: Served; h?: { close(): Promise<void> } }): Promise<void> {
  await opened.browser?.close();
  await opened.site?.close();
  await opened.h?.close();
}

/** A phone whose every request is written down (to prove no third party is asked), and whose page errors are collected. */
export async function recordingPhone(browser: Browser): Promise<{ context: BrowserContext; page: Page; requests: string[]; problems: string[] }> {
  const context = await phoneContext(browser, { locale: 'en-GB', timezoneId: 'Europe/London' });
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, requests, problems };
}

/** Waits until the service worker controls the page and has saved it for offline use. */
export async function savedForOffline(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.waitForSelector('html[data-offline-ready]', { state: 'attached' });
}
