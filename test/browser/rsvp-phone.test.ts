import type { Browser } from 'playwright-core';
import { createHarness, Harness, linkIn } from '../support/harness';
import { describeBrowser, phoneContext, openBrowserOn, closeJourney, Served } from '../support/browser';
import { buildEvent, buildUser } from '../support/factories';
import { recipients } from '../support/smtp';

describeBrowser('RSVP on a phone', () => {
  let h: Harness;
  let browser: Browser;
  let site: Served;

  beforeAll(async () => {
    h = await createHarness();
    ({ site, browser } = await openBrowserOn(h.app));
  });
  afterAll(() => closeJourney({ browser, site, h }));

  test('an activist RSVPs from the picket page, gets the e-mail, opens the manage link and cancels', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, {
      title: 'Picket for Maria', capacity: 30, meeting_point_private: true, meeting_point: 'At the bus stop opposite',
    });
    const context = await phoneContext(browser);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${site.url}/events/${event.id}`);
    await page.getByRole('heading', { name: 'Are you coming?' }).waitFor();
    expect(await page.content()).not.toContain('At the bus stop opposite');

    // A typo first: the form says what is wrong and keeps what was typed.
    await page.getByLabel('Name or nickname').fill('Marta');
    await page.getByLabel(/^E-mail/).fill('marta@picket');
    await page.getByRole('button', { name: 'I am coming' }).click();
    await page.getByText('Enter a valid e-mail address').first().waitFor();
    expect(await page.getByLabel('Name or nickname').inputValue()).toBe('Marta');

    await page.getByLabel(/^E-mail/).fill('marta@picket.test');
    await page.getByLabel('I come as').selectOption('steward');
    await page.getByRole('button', { name: 'I am coming' }).click();
    await page.getByText('You are going. See you there!').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes('marta@picket.test'));
    expect(mail.subject).toBe('You are going: Picket for Maria');
    expect(mail.text).toContain('At the bus stop opposite');
    const manage = linkIn(mail.text!, '/rsvp/');

    await page.goto(site.url + manage);
    await page.getByText('You are going to Picket for Maria.').waitFor();
    await page.getByText('At the bus stop opposite').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Cancel my RSVP' }).click();
    await page.getByText('Your RSVP has been cancelled.').first().waitFor();
    expect((await h.database.db('rsvps').where({ event_id: event.id }).first()).status).toBe('cancelled');

    // The link is used up now, and says so.
    await page.goto(site.url + manage);
    await page.getByRole('heading', { name: 'This RSVP was cancelled' }).waitFor();
    await context.close();
  }, 90_000);
});
