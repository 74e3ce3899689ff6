// An organiser at a picket, phone in one hand: the dashboard, the RSVP list, the campaign list,
// the admin's accounts and places, and the public day-of-action board read as whole words at
// 360 px (and at 1280 px), and nothing pushes the page sideways.
import type { Browser, BrowserContext } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { buildCampaign, buildEvent, buildRsvp, buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, phoneContext, Served } from '../support/browser';
import { brokenWords, sidewaysOverflow } from '../support/layout';

let h: Harness;
let browser: Browser;
let site: Served;

beforeAll(async () => {
  h = await createHarness();
  ({ site, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site, h }));

async function logIn(context: BrowserContext, email: string, password: string) {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${site.url}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/organise$/);
  return page;
}

describeBrowser('organiser tables on a phone', () => {
  test('every organiser table and the day-of-action board keep their words whole at 360 and 1280 px', async () => {
    const db = h.database.db;
    const admin = await buildUser(db, { role: 'admin', name: 'Administrator', email: 'an.unusually.long.address.for.a.phone@solidarity-campaign.example.org' });
    const campaign = await buildCampaign(db, admin, { title: 'Freedom for the International Brigades', slug: 'brigades' });
    const december = new Date('2030-12-26T12:00:00Z');
    const picket = await buildEvent(db, admin, { campaign_id: campaign.id, title: 'Demonstration: Internationalisation', city: 'Vilnius', country: 'LT', timezone: 'Europe/Vilnius', starts_at: december });
    await buildEvent(db, admin, { campaign_id: campaign.id, title: 'Vigil', city: 'Buenos Aires', country: 'AR', timezone: 'America/Argentina/Buenos_Aires', starts_at: december });
    await buildRsvp(db, picket, { name: 'Konstantinopoulou', email: 'konstantinopoulou.alexandra@very-long-domain-name.example.org', role: 'steward', note: 'Bringing the megaphone and the first-aid kit' });
    await buildRsvp(db, picket, { name: 'Jo', email: null, status: 'waitlisted' });
    await db('venues').insert({ name: 'Embassy of the Republic of Belarus', kind: 'embassy', address: 'Kensington Court 6', city: 'London', country: 'GB', represents: 'BY', latitude: 51.5, longitude: -0.19, timezone: 'Europe/London' });

    const pages = ['/organise', `/organise/events/${picket.id}/rsvps`, '/organise/campaigns', '/admin/users', '/admin/venues', '/campaigns/brigades', '/organise/proposals'];
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      const context = viewport.width === 360 ? await phoneContext(browser) : await browser.newContext({ viewport });
      const page = await logIn(context, admin.email, admin.password);
      for (const path of pages) {
        await page.goto(site.url + path);
        expect(await page.locator('table').count()).toBeGreaterThan(0);
        expect({ path, viewport: viewport.width, broken: await brokenWords(page) }).toEqual({ path, viewport: viewport.width, broken: [] });
        expect({ path, viewport: viewport.width, overflow: await sidewaysOverflow(page) }).toEqual({ path, viewport: viewport.width, overflow: 0 });
      }
      await context.close();
    }
  });

  test('the RSVP list on a phone: one card per person, name first, the status and role labelled, big enough to read at arm\'s length', async () => {
    const db = h.database.db;
    const organiser = await buildUser(db);
    const picket = await buildEvent(db, organiser, { title: 'Picket for Ales' });
    await buildRsvp(db, picket, { name: 'Marta', role: 'steward' });
    await buildRsvp(db, picket, { name: 'Ivan', status: 'waitlisted' });
    const context = await phoneContext(browser);
    const page = await logIn(context, organiser.email, organiser.password);
    await page.goto(`${site.url}/organise/events/${picket.id}/rsvps`);
    const cards = page.locator('.rsvp-table tbody tr');
    expect(await cards.count()).toBe(2);
    const first = cards.first();
    const box = (await first.boundingBox())!;
    // A card spans the screen (less the margins) instead of a squeezed row of six columns.
    expect(box.width).toBeGreaterThan(300);
    expect((await first.locator('td').first().innerText()).trim()).toBe('Marta');
    const nameSize = await first.locator('td').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(nameSize).toBeGreaterThanOrEqual(18);
    // What a sighted person reads on the card: each value after its label (drawn by CSS).
    const read = (card: typeof first) => card.locator('td').evaluateAll((cells) => cells
      .filter((td) => getComputedStyle(td).display !== 'none')
      .map((td) => `${getComputedStyle(td, '::before').content.replace(/^none$/, '').replace(/^"|"$/g, '')}${(td as HTMLElement).innerText}`.trim()));
    expect(await read(first)).toEqual(expect.arrayContaining(['Marta', 'Status: Going', 'I come as: Steward']));
    expect(await read(cards.nth(1))).toEqual(expect.arrayContaining(['Ivan', 'Status: Waitlisted']));
    await context.close();
  });

  test('a weekly vigil at the same embassy is two clicks: Duplicate, then Create', async () => {
    const db = h.database.db;
    const organiser = await buildUser(db);
    const lastWeek = new Date(Date.now() - 2 * 24 * 3600_000);
    lastWeek.setUTCHours(17, 0, 0, 0);
    const vigil = await buildEvent(db, organiser, { title: 'Thursday vigil', starts_at: lastWeek, ends_at: new Date(lastWeek.getTime() + 3600_000) });
    const context = await phoneContext(browser);
    await context.route(/tile\.openstreetmap\.org/, (route) => route.abort());
    const page = await logIn(context, organiser.email, organiser.password);
    await page.goto(`${site.url}/organise/events/${vigil.id}`);
    await page.getByRole('button', { name: /Duplicate/ }).click();
    await page.waitForURL(/duplicate=/);
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/organise\/events\/\d+$/);
    const copy = await db('events').where({ title: 'Thursday vigil' }).whereNot({ id: vigil.id }).first();
    expect(copy).toMatchObject({ status: 'draft', address: vigil.address, city: 'London', latitude: vigil.latitude, longitude: vigil.longitude, timezone: 'Europe/London' });
    expect(copy.starts_at.getTime()).toBe(lastWeek.getTime() + 7 * 24 * 3600_000);
    await context.close();
  }, 60_000);

  test.each([{ width: 360, height: 740 }, { width: 1280, height: 800 }])('an organiser (not an admin) finds the city and the embassy by typing, at %o', async (viewport) => {
    const db = h.database.db;
    const organiser = await buildUser(db, { name: 'Vilnius group' });
    const campaign = await buildCampaign(db, organiser, { target_country: 'BY', title: 'Free them all' });
    const [embassy] = await db('venues').insert({ name: 'Embassy of Belarus in Lithuania', kind: 'embassy', address: 'Mindaugo g. 13', city: 'Vilnius', country: 'LT', represents: 'BY', latitude: 54.6763, longitude: 25.2745, timezone: 'Europe/Vilnius' })
      .onConflict(['name', 'city', 'country']).merge().returning('id');
    await db('venues').insert({ name: 'Embassy of Ruritania in Lithuania', kind: 'embassy', address: 'Somewhere 1', city: 'Vilnius', country: 'LT', represents: 'RU', latitude: 54.69, longitude: 25.28, timezone: 'Europe/Vilnius' })
      .onConflict(['name', 'city', 'country']).ignore();
    const context = viewport.width === 360 ? await phoneContext(browser) : await browser.newContext({ viewport });
    await context.route(/tile\.openstreetmap\.org/, (route) => route.abort());
    const page = await logIn(context, organiser.email, organiser.password);
    await page.goto(`${site.url}/organise/events/new`);
    await page.locator('#field-campaign_id').selectOption(String(campaign.id));
    await page.locator('#field-title').fill('Picket in Vilnius');
    // Typing a city: the map moves there, and the campaign's embassies in that city are offered.
    await page.getByLabel('Find a city or an embassy').fill('Vilni');
    // The first search loads the offline city list, which takes a moment on a busy server.
    await page.getByRole('button', { name: /^Vilnius, LT/ }).click({ timeout: 40_000 });
    const centre = await page.evaluate(() => (window as unknown as { picketPointPicker: { centre(): { lat: number; lng: number; zoom: number } } }).picketPointPicker.centre());
    expect(centre.lat).toBeCloseTo(54.69, 1);
    expect(centre.lng).toBeCloseTo(25.28, 1);
    expect(centre.zoom).toBeGreaterThanOrEqual(12);
    expect(await page.locator('#field-city').inputValue()).toBe('Vilnius');
    expect(await page.locator('#field-country').inputValue()).toBe('LT');
    expect(await page.locator('#field-timezone').inputValue()).toBe('Europe/Vilnius');
    const offered = await page.locator('#place-results').innerText();
    expect(offered).toContain('Embassy of Belarus in Lithuania');
    expect(offered).not.toContain('Ruritania'); // not the campaign's target country
    await page.getByRole('button', { name: /Embassy of Belarus in Lithuania/ }).click();
    expect(await page.locator('#field-venue_id').inputValue()).toBe(String(embassy.id ?? embassy));
    expect(await sidewaysOverflow(page)).toBe(0);

    await page.locator('#field-starts_local').fill('2031-05-01T12:00');
    await page.locator('#field-ends_local').fill('2031-05-01T13:00');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/organise\/events\/\d+$/);
    const saved = await db('events').where({ title: 'Picket in Vilnius', owner_id: organiser.id }).orderBy('id', 'desc').first();
    expect(saved).toMatchObject({ venue_id: embassy.id ?? embassy, city: 'Vilnius', country: 'LT', timezone: 'Europe/Vilnius' });
    await db('events').where({ id: saved.id }).delete();
    await context.close();
  }, 90_000);
});
