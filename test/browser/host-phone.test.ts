// A local group hosts a picket, on phones: a stranger proposes one from the campaign page,
// confirms the e-mail, an organiser approves it, it appears on the map, and the host signs in by
// the e-mailed link and sees the first person coming.
import type { Browser, BrowserContext } from 'playwright-core';
import { DateTime } from 'luxon';
import { createHarness, Harness, linkIn } from '../support/harness';
import { buildCampaign, buildRsvp, buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, phoneContext, Served } from '../support/browser';
import { recipients } from '../support/smtp';

let h: Harness;
let browser: Browser;
let site: Served;

beforeAll(async () => {
  h = await createHarness();
  ({ site, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site, h }));

const wide = (page: import('playwright-core').Page) => page.evaluate(() => document.documentElement.scrollWidth);

async function newPhonePage(context: BrowserContext) {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

describeBrowser('a local group hosts a picket, on a phone', () => {
  test('propose, confirm, approved, on the map, the host signs in by link and sees the first RSVP', async () => {
    const db = h.database.db;
    const organiser = await buildUser(db, { name: 'Olga Organiser' });
    const campaign = await buildCampaign(db, organiser, { title: 'Free the Picket Five', slug: 'picket-five' });
    await db('campaigns').where({ id: campaign.id }).update({ proposals_open: true });
    await db('venues').insert({
      kind: 'embassy', name: 'Embassy of Belarus in Lithuania', address: 'Mindaugo g. 13', city: 'Vilnius', country: 'LT', represents: 'BY',
      latitude: 54.6787, longitude: 25.2745, timezone: 'Europe/Vilnius',
    });
    const start = DateTime.now().setZone('Europe/Vilnius').plus({ weeks: 1 }).set({ hour: 18, minute: 0 });

    // A stranger, on their phone.
    const stranger = await phoneContext(browser);
    const page = await newPhonePage(stranger);
    await page.goto(`${site.url}/campaigns/picket-five`);
    await page.getByRole('link', { name: 'Host a picket in your city' }).click();
    await page.getByRole('heading', { name: /Host a picket in your city/ }).waitFor();
    await page.getByLabel('Name of the picket').fill('Candles for the Five in Vilnius');
    await page.getByLabel('Place from the directory').selectOption({ label: 'Embassy of Belarus in Lithuania — Vilnius (LT)' });
    await page.getByLabel('Starts (local time)').fill(start.toFormat("yyyy-MM-dd'T'HH:mm"));
    await page.getByLabel('Ends (local time)').fill(start.plus({ hours: 2 }).toFormat("yyyy-MM-dd'T'HH:mm"));
    await page.getByLabel(/Your name or your group/).fill('Vilnius Solidarity');
    // A typo first: the form says so and keeps everything typed.
    await page.getByLabel(/Your e-mail address/).fill('vilnius@solidarity');
    await page.getByRole('button', { name: 'Send my proposal' }).click();
    await page.locator('#field-host_email-error').waitFor();
    expect(await page.getByLabel('Name of the picket').inputValue()).toBe('Candles for the Five in Vilnius');
    await page.getByLabel(/Your e-mail address/).fill('vilnius@solidarity.test');
    await page.getByRole('button', { name: 'Send my proposal' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    expect(await wide(page)).toBeLessThanOrEqual(360);

    await h.runJobs();
    const confirm = await h.smtp.waitFor((m) => recipients(m).includes('vilnius@solidarity.test'));
    await page.goto(site.url + linkIn(confirm.text ?? '', '/proposals/verify/'));
    await page.getByRole('button', { name: 'Confirm my proposal' }).click();
    await page.getByText('Your proposal is with the organisers of Free the Picket Five').waitFor();

    // The organiser, on theirs.
    await h.runJobs();
    await h.smtp.waitFor((m) => recipients(m).includes(organiser.email));
    const organiserPhone = await phoneContext(browser);
    const admin = await newPhonePage(organiserPhone);
    await admin.goto(`${site.url}/login`);
    await admin.getByLabel('E-mail').fill(organiser.email);
    await admin.getByLabel('Password').fill(organiser.password);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.waitForURL(/\/organise$/);
    await admin.getByRole('link', { name: 'Proposals and open calls' }).click();
    const card = admin.locator('.proposal', { hasText: 'Candles for the Five in Vilnius' });
    await card.waitFor();
    expect(await wide(admin)).toBeLessThanOrEqual(360);
    await card.getByRole('button', { name: 'Approve and publish' }).click();
    await admin.waitForURL(/\/organise\/events\/\d+$/);
    const eventId = Number(/\/organise\/events\/(\d+)$/.exec(admin.url())![1]);

    // It is on the map (and its list) for everyone.
    await page.goto(`${site.url}/map?campaign=picket-five`);
    await page.locator('#map-list-items li', { hasText: 'Candles for the Five in Vilnius' }).waitFor();
    await page.locator('.leaflet-marker-pane .map-marker, .leaflet-marker-pane .marker-cluster').first().waitFor();

    // Someone is coming; the host signs in with the link from the approval e-mail and sees them.
    await buildRsvp(db, { id: eventId }, { name: 'First Comer', email: 'first@picket.test' });
    await h.runJobs();
    const approved = await h.smtp.waitFor((m) => recipients(m).includes('vilnius@solidarity.test') && (m.subject ?? '').includes('published'));
    await page.goto(site.url + linkIn(approved.text ?? '', '/host/link/'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your pickets' }).waitFor();
    await page.getByRole('link', { name: 'RSVPs' }).click();
    await page.getByText('First Comer').first().waitFor();
    expect(await wide(page)).toBeLessThanOrEqual(360);
    // And nothing else of the organiser's.
    const refused = await page.goto(`${site.url}/organise`);
    expect(refused?.status()).toBe(403);
    await stranger.close();
    await organiserPhone.close();
  }, 120_000);
});
