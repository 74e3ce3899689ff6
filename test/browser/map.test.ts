// Journeys on the map with a real browser; the tile server is unreachable, as it may be for a
// visitor behind a firewall: markers, popups, filters and the list must work without tiles.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { buildCampaign, buildEvent, buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, Served } from '../support/browser';
import { baseMapDrawn, onFirstScreen, sidewaysOverflow } from '../support/layout';

let h: Harness;
let browser: Browser;
let server: Served;
const DAY = '2026-12-10';
const EUROPE = 500;
const VIGILS = 7;
let TODAY: string;

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  const owner = await buildUser(db);
  const campaign = await buildCampaign(db, owner, { slug: 'day-of-action', title: 'Day of action' });
  // 500 pickets spread over Europe, upcoming, a few of them vigils.
  const start = new Date(Date.now() + 3 * 24 * 3600_000);
  const rows = Array.from({ length: EUROPE }, (_, i) => ({
    owner_id: owner.id, kind: i < VIGILS ? 'vigil' : 'picket', title: `Europe picket ${i}`, slug: `europe-picket-${i}`,
    city: 'Somewhere', country: 'DE', latitude: 42 + ((i * 37) % 160) / 10, longitude: -5 + ((i * 53) % 300) / 10,
    timezone: 'Europe/Berlin', starts_at: start, ends_at: new Date(start.getTime() + 7200_000), status: 'published',
  }));
  await db('events').insert(rows);
  // The campaign's day of action, following the sun westwards.
  await buildEvent(db, owner, {
    campaign_id: campaign.id, title: 'Tokyo picket', city: 'Tokyo', country: 'JP', latitude: 35.6762, longitude: 139.6503,
    timezone: 'Asia/Tokyo', starts_at: new Date(`${DAY}T10:00:00Z`),
  });
  await buildEvent(db, owner, {
    campaign_id: campaign.id, title: 'Buenos Aires picket', city: 'Buenos Aires', country: 'AR', latitude: -34.6037, longitude: -58.3816,
    timezone: 'America/Argentina/Buenos_Aires', starts_at: new Date(`${DAY}T16:00:00Z`),
  });
  await buildEvent(db, owner, {
    campaign_id: campaign.id, title: 'Los Angeles picket', city: 'Los Angeles', country: 'US', latitude: 34.0522, longitude: -118.2437,
    timezone: 'America/Los_Angeles', starts_at: new Date(`${DAY}T20:00:00Z`),
  });
  await buildEvent(db, owner, {
    title: 'Past picket in Sydney', city: 'Sydney', country: 'AU', latitude: -33.8688, longitude: 151.2093,
    timezone: 'Australia/Sydney', starts_at: new Date(Date.now() - 30 * 24 * 3600_000),
  });
  // A vigil under way at this very moment, on a campaign's day of action (today in Honolulu, far from Europe's view).
  const underWay = await buildCampaign(db, owner, { slug: 'under-way', title: 'Under way' });
  const begun = new Date(Date.now() - 60_000);
  TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Honolulu' }).format(begun);
  await buildEvent(db, owner, {
    campaign_id: underWay.id, title: 'Vigil under way', city: 'Honolulu', country: 'US', latitude: 21.3069, longitude: -157.8583,
    timezone: 'Pacific/Honolulu', starts_at: begun, ends_at: new Date(begun.getTime() + 3 * 3600_000),
  });
  ({ site: server, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site: server, h }));

async function openPage(path: string, options: { timezoneId?: string; phone?: boolean } = {}): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({
    ...(options.phone ? { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } : { viewport: { width: 1200, height: 800 } }),
    locale: 'en-GB', timezoneId: options.timezoneId ?? 'UTC',
  });
  // Tiles cannot load, as for a visitor whose network blocks the tile server.
  await context.route(/tile\.openstreetmap\.org/, (route) => route.abort());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/tile\.openstreetmap|ERR_FAILED|net::/.test(msg.text() + (msg.location().url ?? ''))) problems.push(msg.text());
  });
  await page.goto(server.url + path);
  await page.waitForSelector('html[data-map-ready]');
  return { page, context, problems };
}

/** What the map shows: single markers and the pickets inside each cluster. */
async function shown(page: Page): Promise<{ markers: number; clusters: number[] }> {
  const markers = await page.locator('.leaflet-marker-pane .map-marker').count();
  const clusters = (await page.locator('.leaflet-marker-pane .marker-cluster').allTextContents()).map(Number);
  return { markers, clusters };
}

describeBrowser('the map of pickets in a browser', () => {
  test('500 pickets show as clusters that split as the visitor zooms in', async () => {
    const { page, context, problems } = await openPage('/map?lat=50&lng=10&z=4');
    const before = await shown(page);
    expect(before.clusters.length).toBeGreaterThan(0);
    expect(before.markers + before.clusters.reduce((a, b) => a + b, 0)).toBe(EUROPE);
    expect(before.markers).toBeLessThan(EUROPE / 2);

    await page.locator('.leaflet-marker-pane .marker-cluster').first().click(); // a cluster zooms in to its pickets
    await page.waitForFunction(() => new URL(location.href).searchParams.get('z') !== '4');
    await page.locator('.leaflet-control-zoom-in').click();
    await page.waitForTimeout(600);
    const after = await shown(page);
    expect(after.markers).toBeGreaterThan(before.markers);
    expect(Math.max(0, ...after.clusters)).toBeLessThan(Math.max(...before.clusters));
    expect(Number(new URL(page.url()).searchParams.get('z'))).toBeGreaterThan(4);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a popup shows the local time in the picket’s zone and in the visitor’s own', async () => {
    const { page, context, problems } = await openPage('/map?campaign=day-of-action', { timezoneId: 'America/New_York' });
    const item = page.locator('#map-list-items li', { hasText: 'Tokyo picket' });
    await item.getByRole('button', { name: 'Show on map' }).click();
    const popup = page.locator('.leaflet-popup .map-popup');
    await popup.waitFor();
    await expect(popup.locator('.map-popup-title').textContent()).resolves.toBe('Tokyo picket');
    const local = await popup.locator('.map-popup-local').textContent();
    expect(local).toMatch(/10 Dec.*19:00/);
    expect(local).toContain('(Tokyo)');
    const viewer = await popup.locator('.map-popup-viewer').textContent();
    expect(viewer).toMatch(/10 Dec.*05:00/);
    expect(viewer).toMatch(/GMT-5|EST/);
    await expect(popup.locator('.map-popup-going').textContent()).resolves.toBe('0 people going');
    const link = popup.getByRole('link', { name: 'Open the event page' });
    expect(await link.getAttribute('href')).toMatch(/^\/events\/\d+-tokyo-picket$/);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a filter changes the address and the markers, and the address reproduces the view', async () => {
    const { page, context } = await openPage('/map?lat=50&lng=10&z=4');
    await page.locator('.map-filters-box > summary').click();
    await page.getByLabel('Kind').selectOption('vigil');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('kind') === 'vigil');
    await page.waitForFunction(() => document.querySelector('#map-count')?.textContent?.includes('7 pickets in view'));
    const vigils = await shown(page);
    expect(vigils.markers + vigils.clusters.reduce((a, b) => a + b, 0)).toBe(VIGILS);
    const address = page.url();
    expect(address).toMatch(/lat=50\.0000&lng=10\.0000&z=4/);

    const again = await openPage(new URL(address).pathname + new URL(address).search);
    expect(await again.page.getByLabel('Kind').inputValue()).toBe('vigil');
    const same = await shown(again.page);
    expect(same.markers + same.clusters.reduce((a, b) => a + b, 0)).toBe(VIGILS);
    await again.context.close();

    await page.getByLabel('Past').check();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('when') === 'past');
    await page.waitForFunction(() => document.querySelector('#map-count')?.textContent?.includes('No pickets'));
    expect(await shown(page)).toEqual({ markers: 0, clusters: [] });
    await context.close();
  });

  test('the list beside the map follows the visible area', async () => {
    const { page, context } = await openPage('/map?lat=35.6762&lng=139.6503&z=9');
    await expect(page.locator('#map-count').textContent()).resolves.toBe('1 picket in view');
    expect(await page.locator('#map-list-items li').allTextContents()).toEqual([expect.stringContaining('Tokyo picket')]);
    for (let i = 0; i < 7; i++) {
      await page.locator('.leaflet-control-zoom-out').click();
      await page.waitForTimeout(350);
    }
    // The count follows each zoom step; wait for the last one (the world, more than the list holds).
    await page.waitForFunction(() => document.querySelector('#map-count')?.textContent?.includes('The first 100 are listed'), undefined, { timeout: 20_000 });
    // Zoomed out to the world: every picket is in view, the first hundred are listed.
    const count = (await page.locator('#map-count').textContent())!;
    expect(count).toMatch(/^\d+ pickets in view · The first 100 are listed; zoom in to see the others\.$/);
    expect(Number(/\d+/.exec(count)![0])).toBeGreaterThanOrEqual(EUROPE);
    expect(await page.locator('#map-list-items li').count()).toBe(100);
    expect(Number(new URL(page.url()).searchParams.get('z'))).toBe(2);
    // The list is keyboard-reachable: each picket is a link to its page.
    // (The list may be redrawn once more after the last zoom step, taking the focus with it: try again.)
    let focused: string | null | undefined = null;
    for (let i = 0; i < 10 && !focused; i++) {
      await page.locator('#map-list-items li a').first().focus();
      focused = await page.evaluate(() => document.activeElement?.getAttribute('href'));
      if (!focused) await page.waitForTimeout(200);
    }
    expect(focused).toMatch(/^\/events\/\d+-/);
    await context.close();
  });

  test('day-of-action mode follows the day across time zones with a time control', async () => {
    const { page, context, problems } = await openPage(`/map?campaign=day-of-action&day=${DAY}&at=${DAY}T10:30:00.000Z`);
    const summary = page.locator('#map-day-summary');
    // The slider's moment, not this one: the line says so.
    await expect(summary.textContent()).resolves.toMatch(/^1 under way at that time, 2 still to come\. Next: Buenos Aires picket/);
    expect(await page.locator('.map-marker--now').count()).toBe(1);
    const range = page.getByLabel(/Time of day/);
    // The control spans the whole day: from midnight in Tokyo (15:00 UTC the day before) to
    // midnight in Los Angeles (08:00 UTC the day after); 16:30 UTC is 25.5 hours after its start.
    expect(await range.getAttribute('max')).toBe(String(41 * 60));
    await range.fill(String(25.5 * 60));
    await expect(summary.textContent()).resolves.toMatch(/^1 under way at that time, 1 still to come\. Next: Los Angeles picket/);
    await page.waitForFunction(() => document.querySelector('#map-list-items li')?.textContent?.includes('Buenos Aires picket'));
    // Under way at the slider's time, not at this moment: the list does not say "On now".
    await expect(page.locator('#map-list-items li').first().textContent()).resolves.toContain('On at that time');
    await expect(page.locator('#map-list-items li').first().textContent()).resolves.not.toContain('On now');
    expect(await page.locator('.map-marker--now').count()).toBe(1);
    expect(await page.locator('.map-marker--ended').count()).toBe(1);
    await page.waitForFunction(() => new URL(location.href).searchParams.get('at') === '2026-12-10T16:30:00.000Z');
    expect(problems).toEqual([]);
    await context.close();
  });

  test('on the day itself the slider starts at this moment: the summary and the badges say "on now", and count what the markers show', async () => {
    const { page, context, problems } = await openPage(`/map?campaign=under-way&day=${TODAY}`);
    await expect(page.locator('#map-day-summary').textContent()).resolves.toBe('1 on now, 0 still to come');
    expect(await page.locator('.map-marker--now').count()).toBe(1);
    await page.waitForFunction(() => document.querySelector('#map-list-items li')?.textContent?.includes('Vigil under way'));
    await expect(page.locator('#map-list-items li').first().textContent()).resolves.toContain('On now');
    // Moved to the day's last hour, the picket is over at that time; the line speaks of that time.
    const range = page.getByLabel(/Time of day/);
    await range.fill(await range.getAttribute('max') as string);
    await expect(page.locator('#map-day-summary').textContent()).resolves.toBe('0 under way at that time, 0 still to come');
    expect(await page.locator('.map-marker--ended').count()).toBe(1);
    // The badge in the list still tells the real time.
    await page.waitForFunction(() => /On now/.test(document.querySelector('#map-list-items li')?.textContent ?? ''));
    expect(problems).toEqual([]);
    await context.close();
  });

  test('on a phone the map is on the first screen; the filters wait behind one button that says what is filtered', async () => {
    const { page, context, problems } = await openPage('/map?when=upcoming&kind=vigil', { phone: true });
    expect(await onFirstScreen(page, '#map')).toBe(true);
    const mapBox = (await page.locator('#map').boundingBox())!;
    expect(mapBox.height).toBeGreaterThan(250);
    expect(await baseMapDrawn(page, '#map')).toBe(true);
    expect(await page.getByLabel('Kind').isVisible()).toBe(false);
    const button = page.locator('.map-filters-box > summary');
    expect((await button.innerText()).replace(/\s+/g, ' ')).toMatch(/Filters Upcoming · Vigil/);
    await button.click();
    expect(await page.getByLabel('Kind').inputValue()).toBe('vigil');
    expect(await sidewaysOverflow(page)).toBe(0);
    await context.close();

    const all = await openPage('/map', { phone: true });
    expect((await all.page.locator('.map-filters-box > summary').innerText()).replace(/\s+/g, ' ')).toMatch(/Filters all pickets/);
    expect(await onFirstScreen(all.page, '#map')).toBe(true);
    expect([...problems, ...all.problems]).toEqual([]);
    await all.context.close();
  }, 90_000);

  test('the embed renders the campaign’s pickets without the site around it', async () => {
    const { page, context, problems } = await openPage('/embed/map?campaign=day-of-action');
    expect(await page.locator('.site-header').count()).toBe(0);
    const s = await shown(page);
    expect(s.markers + s.clusters.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await page.locator('#map-list-items li a').first().getAttribute('target')).toBe('_blank');
    expect(problems).toEqual([]);
    await context.close();
  });
});
