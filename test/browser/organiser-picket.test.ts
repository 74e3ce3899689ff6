// An organiser sets up a campaign with two demands, schedules a picket in London by clicking the
// map, publishes it, and a visitor in Almaty sees it on the campaign's day-of-action board with
// London's local time and their own. Map tiles cannot load here; the map still takes clicks.
import type { Browser, Page } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, Served } from '../support/browser';

let h: Harness;
let browser: Browser;
let server: Served;

beforeAll(async () => {
  h = await createHarness();
  ({ site: server, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site: server, h }));

/** Clicks the Leaflet map `selector` where (lat, lng) is, using Leaflet's own projection. */
async function clickMapAt(page: Page, selector: string, lat: number, lng: number) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = (await page.locator(selector).boundingBox())!;
  // The picker opens on the whole world (centre 30°N 10°E, zoom 2); the point's offset from the
  // centre, in pixels, comes from Leaflet's projection.
  const offset = await page.evaluate(([la, ln]) => {
    const L = (window as unknown as { L: any }).L;
    const centre = L.CRS.EPSG3857.latLngToPoint(L.latLng(30, 10), 2);
    const point = L.CRS.EPSG3857.latLngToPoint(L.latLng(la, ln), 2);
    return { dx: point.x - centre.x, dy: point.y - centre.y };
  }, [lat, lng] as const);
  await page.mouse.click(box.x + box.width / 2 + offset.dx, box.y + box.height / 2 + offset.dy);
}

describeBrowser('an organiser schedules a picket for a day of action', () => {
  test('campaign with two demands, picket placed on the map, published, seen on the board at the right times', async () => {
    const organiser = await buildUser(h.database.db, { name: 'Olga Organiser' });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    await context.route(/tile\.openstreetmap\.org/, (route) => route.abort());
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${server.url}/login`);
    await page.getByLabel('E-mail').fill(organiser.email);
    await page.getByLabel('Password').fill(organiser.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/organise$/);

    // The campaign and its two demands, through the campaign forms.
    await page.goto(`${server.url}/organise/campaigns/new`);
    await page.locator('#field-title').fill('Free the Minsk Two');
    await page.locator('#field-slug').fill('free-the-minsk-two');
    await page.locator('#field-target_country').selectOption('BY');
    await page.locator('form.form button[type="submit"]').click();
    await page.waitForURL(/\/organise\/campaigns\/\d+$/);
    const campaignPath = new URL(page.url()).pathname;
    for (const [kind, text] of [['release', 'Release Ales'], ['drop_charges', 'Drop the charges against Maria']]) {
      await page.goto(`${server.url}${campaignPath}/demands/new`);
      await page.locator('#field-kind').selectOption(kind);
      await page.locator('#field-text').fill(text);
      await page.locator('form.form button[type="submit"]').click();
      await page.waitForURL(new RegExp(`${campaignPath}(#demands)?$`));
    }

    // The picket: campaign, both demands, a point chosen on the map, local times in London.
    await page.goto(`${server.url}/organise/events/new`);
    await page.locator('#field-title').fill('Picket at the embassy in London');
    await page.locator('#field-campaign_id').selectOption({ label: 'Free the Minsk Two' });
    await page.getByLabel('Release Ales').check();
    await page.getByLabel('Drop the charges against Maria').check();
    await page.locator('#field-address').fill('6 Kensington Court');
    await page.locator('#field-city').fill('London');
    await page.locator('#field-country').selectOption('GB');
    await page.waitForSelector('#point-picker.leaflet-container');
    expect(await page.locator('#field-latitude').inputValue()).toBe('');
    await clickMapAt(page, '#point-picker', 51.5, -0.13);
    const lat = Number(await page.locator('#field-latitude').inputValue());
    const lng = Number(await page.locator('#field-longitude').inputValue());
    expect(Math.abs(lat - 51.5)).toBeLessThan(0.6);
    expect(Math.abs(lng + 0.13)).toBeLessThan(0.6);
    await expect(page.locator('#point-picker .leaflet-marker-icon').count()).resolves.toBe(1);
    const year = new Date().getUTCFullYear() + 1;
    await page.locator('#field-starts_local').fill(`${year}-01-15T12:00`);
    await page.locator('#field-ends_local').fill(`${year}-01-15T14:00`);
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/organise\/events\/\d+$/);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/organise\/events\/\d+$/);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('The picket is published');
    const stored = await h.database.db('events').where({ title: 'Picket at the embassy in London' }).first();
    expect(stored).toMatchObject({ status: 'published', timezone: 'Europe/London', city: 'London' });
    expect(stored.starts_at.toISOString()).toBe(`${year}-01-15T12:00:00.000Z`);
    expect(problems).toEqual([]);

    // A visitor in Almaty (UTC+5) opens the campaign page.
    const visitor = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: 'en-GB', timezoneId: 'Asia/Almaty' });
    await visitor.route(/tile\.openstreetmap\.org/, (route) => route.abort());
    const seen = await visitor.newPage();
    await seen.goto(`${server.url}/campaigns/free-the-minsk-two`);
    const row = seen.locator('tr.board-row', { hasText: 'London' });
    await expect(row.count()).resolves.toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toContain('12:00'); // London's local time
    await seen.waitForFunction(() => document.querySelector('tr.board-row time[data-local-time]')?.getAttribute('title') === 'Asia/Almaty');
    // The visitor's own time: 17:00 in Almaty (shown as 17:00 or 05:00 PM, as the browser formats it).
    expect(await row.locator('td').nth(1).textContent()).toMatch(/\b(17:00|0?5:00\s?PM)/);
    await expect(seen.locator('#demands, .demands').first().textContent()).resolves.toMatch(/Release Ales/);

    // The picket's own page says the same.
    await row.getByRole('link', { name: 'London' }).click();
    await seen.waitForURL(/\/events\/\d+-picket-at-the-embassy-in-london$/);
    await expect(seen.locator('.event-when').textContent()).resolves.toMatch(/12:00/);
    await seen.waitForFunction(() => /\b(17:00|0?5:00\s?PM)/.test(document.querySelector('.event-viewer-time')?.textContent ?? ''));
    await expect(seen.locator('.event-demands').textContent()).resolves.toContain('Drop the charges against Maria');
    await visitor.close();
    await context.close();
  }, 60_000);
});
