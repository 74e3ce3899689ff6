// Activists and visitors on a 360 px phone: the "I'm coming" action on the first screen of a
// picket, the calendar file right after the RSVP, the way back after cancelling, how many came to
// a past picket, and the campaign page's ways to the map and its report-backs.
import type { Browser } from 'playwright-core';
import { createHarness, Harness, linkIn } from '../support/harness';
import { buildCampaign, buildEvent, buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, phoneContext, Served } from '../support/browser';
import { onFirstScreen, sidewaysOverflow } from '../support/layout';
import { recipients } from '../support/smtp';
import { cameraPhoto } from '../support/media';

let h: Harness;
let browser: Browser;
let site: Served;

beforeAll(async () => {
  h = await createHarness();
  ({ site, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site, h }));

/** A phone whose network blocks the tile server (maps still draw their markers). */
async function phone(options: Parameters<typeof phoneContext>[1] = {}) {
  const context = await phoneContext(browser, options);
  await context.route(/tile\.openstreetmap\.org/, (route) => route.abort());
  return context;
}

describeBrowser('a visitor on a phone', () => {
  test('RSVPs from the top of a long picket page, gets the calendar file, cancels and finds the way back', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, {
      title: 'Vigil for Ales Bialiatski outside the embassy', capacity: 40,
      description: 'Bring candles and portraits.\n\n'.repeat(12),
      contact_text: 'Ask the stewards in yellow vests.',
    });
    const context = await phone();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${site.url}/events/${event.id}`);
    // The form itself is far down; the action is on the first screen, with when and where.
    expect(await onFirstScreen(page, '#rsvp-heading')).toBe(false);
    expect(await onFirstScreen(page, '.rsvp-jump a')).toBe(true);
    expect(await onFirstScreen(page, '.event-when')).toBe(true);
    await page.getByRole('link', { name: "I'm coming" }).click();
    expect(await onFirstScreen(page, '#rsvp-heading')).toBe(true);

    await page.getByLabel('Name or nickname').fill('Darya');
    await page.getByLabel(/^E-mail/).fill('darya@picket.test');
    await page.getByRole('button', { name: 'I am coming' }).click();
    await page.getByText('You are going. See you there!').waitFor();
    // The calendar file, right here.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Add to calendar' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.ics$/);
    expect(await sidewaysOverflow(page)).toBe(0);

    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes('darya@picket.test'));
    await page.goto(site.url + linkIn(mail.text!, '/rsvp/'));
    await page.getByRole('button', { name: 'Cancel my RSVP' }).click();
    await page.getByText('Your RSVP has been cancelled').first().waitFor();
    await page.getByRole('link', { name: `Back to ${event.title}` }).click();
    await page.waitForURL(new RegExp(`/events/${event.id}`));
    await page.getByRole('heading', { name: event.title }).waitFor();
    await context.close();
  });

  test('a past picket says how many came, not how many places are left', async () => {
    const owner = await buildUser(h.database.db);
    const counted = await buildEvent(h.database.db, owner, {
      title: 'Last month\'s picket', capacity: 20, attendance_count: 17,
      starts_at: new Date(Date.now() - 30 * 24 * 3600_000),
    });
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${site.url}/events/${counted.id}`);
    const rsvp = await page.locator('#rsvp').innerText();
    expect(rsvp).toContain('17 people came');
    expect(rsvp).not.toMatch(/places left|people going|Are you coming/);
    expect(await page.locator('.rsvp-jump').count()).toBe(0);
    await context.close();
  });

  test('the campaign page leads to its pickets and its day of action on the map, and shows each report-back', async () => {
    const db = h.database.db;
    const owner = await buildUser(db);
    const campaign = await buildCampaign(db, owner, { slug: 'free-the-five', title: 'Free the Five' });
    const day = new Date('2030-06-15T12:00:00Z');
    for (const city of ['London', 'Paris', 'Berlin']) await buildEvent(db, owner, { campaign_id: campaign.id, title: `Day of action: ${city}`, city, starts_at: day });
    const past = await buildEvent(db, owner, { campaign_id: campaign.id, title: 'Vigil in Vilnius', city: 'Vilnius', country: 'LT', starts_at: new Date(Date.now() - 10 * 24 * 3600_000) });
    const quiet = await buildEvent(db, owner, { campaign_id: campaign.id, title: 'Quiet vigil in Riga', city: 'Riga', country: 'LV', starts_at: new Date(Date.now() - 9 * 24 * 3600_000) });
    await db('submissions').insert([
      { event_id: past.id, kind: 'photo', storage_key: 'a'.repeat(32), media_type: 'image', status: 'approved', caption: 'Candles at the gate' },
      { event_id: past.id, kind: 'photo', storage_key: 'b'.repeat(32), media_type: 'image', status: 'pending', caption: 'Not yet moderated' },
      { event_id: past.id, kind: 'letter', letter_text: 'Dear ambassador', handin_status: 'refused', status: 'approved' },
      { event_id: quiet.id, kind: 'photo', storage_key: 'c'.repeat(32), media_type: 'image', status: 'rejected', caption: 'Rejected' },
    ]);

    const context = await phone();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${site.url}/campaigns/free-the-five`);
    const reports = page.locator('#report-backs');
    expect(await reports.getByRole('link', { name: 'Vigil in Vilnius' }).getAttribute('href')).toMatch(new RegExp(`/events/${past.id}.*#report-back$`));
    expect(await reports.getByAltText('Candles at the gate').count()).toBe(1);
    expect(await reports.innerText()).toContain('1 letter was refused');
    // Nothing unmoderated or rejected, and no empty report-back for a picket with nothing to show.
    expect(await reports.innerText()).not.toMatch(/Not yet moderated|Rejected|Quiet vigil/);
    expect(await sidewaysOverflow(page)).toBe(0);

    await page.getByRole('link', { name: 'The day of action on the map' }).first().click();
    await page.waitForURL(/\/map\?/);
    expect(new URL(page.url()).searchParams.get('campaign')).toBe('free-the-five');
    expect(new URL(page.url()).searchParams.get('day')).toBe('2030-06-15');
    await page.goBack();
    await page.getByRole('link', { name: 'Its pickets on the map' }).click();
    await page.waitForURL(/\/map\?/);
    expect(await page.locator('.map-filters-what').innerText()).toContain('Free the Five');
    await context.close();
  });

  test('a photo sent while the connection drops: the page says the connection failed, nothing is lost, and it can be sent again', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Picket in the rain', starts_at: new Date(Date.now() - 3 * 3600_000) });
    // A browser without the offline app (a private window): with it, the photo would wait in the
    // phone's queue and go by itself (test/browser/offline-queue.test.ts).
    const context = await phone({ serviceWorkers: 'block' });
    // The first attempt never reaches the server, as when the phone loses its signal.
    let drops = 1;
    await context.route(/\/submissions$/, (route) => (drops-- > 0 ? route.abort('internetdisconnected') : route.continue()));
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${site.url}/events/${event.id}`);
    await page.setInputFiles('#field-files', [{ name: 'IMG_2001.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(3) }]);
    await page.check('#field-consent');
    await page.tap('.upload-form button[type="submit"]');
    await page.waitForSelector('.upload-progress li.upload-retry');
    const row = await page.locator('.upload-progress li').innerText();
    expect(row).toContain('The connection failed');
    expect(row).toContain('Nothing was lost');
    expect(row).not.toContain('Not accepted');
    expect(await page.locator('.upload-result').innerText()).toContain('Nothing was lost');
    // The chosen file is still there.
    expect(await page.locator('#field-files').evaluate((input) => (input as HTMLInputElement).files!.length)).toBe(1);
    expect(await h.database.db('submissions').where({ event_id: event.id }).count({ n: '*' }).first().then((r) => Number(r?.n))).toBe(0);

    await page.getByRole('button', { name: 'Send again' }).tap();
    await page.waitForSelector('.upload-result.upload-result-ok');
    expect(await page.locator('.upload-progress li.upload-ok').count()).toBe(1);
    expect(await h.database.db('submissions').where({ event_id: event.id }).count({ n: '*' }).first().then((r) => Number(r?.n))).toBe(1);
    await context.close();
  }, 60_000);
});
