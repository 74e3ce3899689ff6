// An organiser places a picket without knowing any coordinates: typing a city moves the map
// there; a place missing from the directory is clicked on the map and saved as their own, and is
// offered again next time; an embassy deep in a long directory is still found by typing. On a
// 360 px phone and a 1280 px desktop; map tiles cannot load here.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { buildCampaign, buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, phoneContext, Served } from '../support/browser';
import { baseMapDrawn, sidewaysOverflow } from '../support/layout';

let h: Harness;
let browser: Browser;
let site: Served;

beforeAll(async () => {
  h = await createHarness();
  // A long directory: forty places sorted before Latvia, so Riga's embassy is not among the
  // first thirty the form carries and must come from the search.
  await h.database.db('venues').insert(Array.from({ length: 40 }, (_, i) => ({
    kind: 'embassy', name: `Embassy number ${i + 1}`, address: '', city: `Town ${i + 1}`, country: 'FR', represents: 'BY',
    latitude: 48.85, longitude: 2.35, timezone: 'Europe/Paris',
  })));
  await h.database.db('venues').insert({
    kind: 'embassy', name: 'Embassy of Belarus in Latvia', address: 'Jezusbaznicas iela 12', city: 'Riga', country: 'LV', represents: 'BY',
    latitude: 56.9428, longitude: 24.1177, timezone: 'Europe/Riga',
  });
  ({ site, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site, h }));

const VIEWPORTS = [{ width: 360, height: 740 }, { width: 1280, height: 800 }];

async function open(viewport: { width: number }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = viewport.width === 360 ? await phoneContext(browser, { locale: 'en-GB' }) : await browser.newContext({ viewport: VIEWPORTS[1], locale: 'en-GB' });
  await context.route(/tile\.openstreetmap\.org/, (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}

async function logIn(page: Page, email: string, password: string) {
  await page.goto(`${site.url}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/organise$/);
}

type Picker = { picketPointPicker: { centre(): { lat: number; lng: number; zoom: number } } };
const mapCentre = (page: Page) => page.evaluate(() => (window as unknown as Picker).picketPointPicker.centre());

/** Types into the place finder and chooses the result named `name`. */
async function find(page: Page, text: string, name: RegExp) {
  await page.getByLabel('Find a city or an embassy').fill(text);
  // The first search loads the offline city list, which takes a moment on a busy server.
  await page.locator('#place-results').getByRole('button', { name }).click({ timeout: 40_000 });
}

describeBrowser('placing a picket by typing and clicking', () => {
  test.each(VIEWPORTS)('a place missing from the directory becomes the organiser’s own, at %o', async (viewport) => {
    const db = h.database.db;
    const organiser = await buildUser(db);
    const campaign = await buildCampaign(db, organiser, { target_country: 'BY' });
    const { context, page, problems } = await open(viewport);
    await logIn(page, organiser.email, organiser.password);
    await page.goto(`${site.url}/organise/events/new`);
    await page.locator('#field-campaign_id').selectOption(String(campaign.id));
    await page.locator('#field-title').fill('Vigil at the Freedom Monument');

    // Tallinn has no embassy in the directory: the map moves there and says so.
    await find(page, 'Tallin', /^Tallinn, EE/);
    await page.locator('#place-results', { hasText: 'Nothing found in the directory' }).waitFor();
    const centre = await mapCentre(page);
    expect(centre.lat).toBeCloseTo(59.44, 1);
    expect(centre.lng).toBeCloseTo(24.75, 1);
    expect(await page.locator('#field-timezone').inputValue()).toBe('Europe/Tallinn');
    // With no tile server, the streets are not there, but the land and coasts are.
    expect(await baseMapDrawn(page, '#point-picker')).toBe(true);

    // A tap on the map where they will meet gives the point; nobody types coordinates.
    const picker = page.locator('#point-picker');
    await picker.scrollIntoViewIfNeeded();
    const box = (await picker.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => (document.getElementById('field-latitude') as HTMLInputElement).value !== '');
    expect(Number(await page.locator('#field-latitude').inputValue())).toBeCloseTo(59.44, 1);
    expect(Number(await page.locator('#field-longitude').inputValue())).toBeCloseTo(24.75, 1);
    await page.locator('#field-address').fill('Vabaduse väljak');

    // Saved as their place, it comes back chosen, with everything typed still there.
    await page.getByText('Not in the list? Add this place to my places').click();
    await page.getByLabel('Name of the place').fill('Freedom Square steps');
    await page.getByLabel('Kind of place').selectOption('square');
    await page.getByRole('button', { name: 'Save this place' }).click();
    await page.getByText('“Freedom Square steps” is saved in your places and chosen for this picket.').waitFor();
    const place = await db('venues').where({ name: 'Freedom Square steps', owner_id: organiser.id }).first();
    expect(place).toMatchObject({ city: 'Tallinn', country: 'EE', kind: 'square', timezone: 'Europe/Tallinn' });
    expect(await page.locator('#field-venue_id').inputValue()).toBe(String(place.id));
    expect(await page.locator('#field-title').inputValue()).toBe('Vigil at the Freedom Monument');
    expect(await sidewaysOverflow(page)).toBe(0);

    await page.locator('#field-starts_local').fill('2031-05-01T12:00');
    await page.locator('#field-ends_local').fill('2031-05-01T13:00');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/organise\/events\/\d+$/);
    expect(await db('events').where({ title: 'Vigil at the Freedom Monument', owner_id: organiser.id }).first())
      .toMatchObject({ venue_id: place.id, city: 'Tallinn', address: 'Vabaduse väljak' });

    // Next time, typing the city offers it among the places there.
    await page.goto(`${site.url}/organise/events/new`);
    await page.locator('#field-campaign_id').selectOption(String(campaign.id));
    await find(page, 'Tallin', /^Tallinn, EE/);
    await page.locator('#place-results', { hasText: 'Your places in Tallinn:' }).waitFor();
    await page.locator('#place-results').getByRole('button', { name: /Freedom Square steps.*my place/ }).click();
    expect(await page.locator('#field-venue_id').inputValue()).toBe(String(place.id));

    // "My places": the point moved by a tap on its map, saved; the place stays theirs.
    await page.goto(`${site.url}/organise`);
    await page.getByRole('link', { name: 'My places' }).click();
    await page.getByRole('link', { name: 'Freedom Square steps' }).click();
    expect(await baseMapDrawn(page, '#point-picker')).toBe(true);
    const map = page.locator('#point-picker');
    await map.scrollIntoViewIfNeeded();
    const area = (await map.boundingBox())!;
    await page.mouse.click(area.x + area.width / 2 + 60, area.y + area.height / 2);
    await page.waitForFunction((before) => (document.getElementById('field-longitude') as HTMLInputElement).value !== before, String(place.longitude));
    const moved = Number(await page.locator('#field-longitude').inputValue());
    expect(moved).toBeGreaterThan(place.longitude);
    await page.getByRole('button', { name: 'Save the place' }).click();
    await page.waitForURL(/\/organise\/places$/);
    expect(await db('venues').where({ id: place.id }).first()).toMatchObject({ longitude: moved, owner_id: organiser.id });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  test.each(VIEWPORTS)('an embassy beyond the first places of a long directory is found by its city, at %o', async (viewport) => {
    const db = h.database.db;
    const organiser = await buildUser(db);
    const campaign = await buildCampaign(db, organiser, { target_country: 'BY' });
    const embassy = await db('venues').where({ name: 'Embassy of Belarus in Latvia' }).first();
    const { context, page, problems } = await open(viewport);
    await logIn(page, organiser.email, organiser.password);
    await page.goto(`${site.url}/organise/events/new`);
    expect(await page.locator(`#field-venue_id option[value="${embassy.id}"]`).count()).toBe(0);
    await page.locator('#field-campaign_id').selectOption(String(campaign.id));
    await page.locator('#field-title').fill('Picket in Riga');
    await find(page, 'Riga', /^Riga, LV/);
    await page.locator('#place-results').getByRole('button', { name: /Embassy of Belarus in Latvia/ }).click();
    expect(await page.locator('#field-venue_id').inputValue()).toBe(String(embassy.id));
    const centre = await mapCentre(page);
    expect(centre.lat).toBeCloseTo(56.94, 1);

    await page.locator('#field-starts_local').fill('2031-05-02T12:00');
    await page.locator('#field-ends_local').fill('2031-05-02T13:00');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/organise\/events\/\d+$/);
    expect(await db('events').where({ title: 'Picket in Riga', owner_id: organiser.id }).first())
      .toMatchObject({ venue_id: embassy.id, city: 'Riga', timezone: 'Europe/Riga' });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
