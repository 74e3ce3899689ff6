// An activist RSVPs in French: the page, the confirmation e-mail and its dates are all French,
// while someone who RSVPs in English for the same picket gets English.
import type { Browser } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { describeBrowser, phoneContext, openBrowserOn, closeJourney, Served } from '../support/browser';
import { buildEvent, buildUser } from '../support/factories';
import { recipients } from '../support/smtp';

describeBrowser('e-mails in the language of the RSVP', () => {
  let h: Harness;
  let browser: Browser;
  let site: Served;
  let eventId: number;

  beforeAll(async () => {
    h = await createHarness();
    const organiser = await buildUser(h.database.db);
    // Wednesday 16 December 2026 would be in the past for some runs: a fixed date years ahead.
    const event = await buildEvent(h.database.db, organiser, {
      title: 'Picket at the embassy', timezone: 'Europe/London',
      starts_at: new Date('2031-12-16T19:00:00Z'), ends_at: new Date('2031-12-16T21:00:00Z'),
    });
    eventId = event.id;
    ({ site, browser } = await openBrowserOn(h.app));
  });
  afterAll(() => closeJourney({ browser, site, h }));

  async function rsvpAs(lang: 'fr' | 'en', name: string, email: string) {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(`${site.url}/events/${eventId}`);
    if (lang === 'fr') {
      // The visitor chooses French with the switcher, as a person would.
      await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Français' }).click();
      await page.waitForFunction(() => document.documentElement.lang === 'fr');
    }
    const form = page.locator('form.rsvp-form, form[action$="/rsvp"]').first();
    await form.locator('#field-name').fill(name);
    await form.locator('#field-email').fill(email);
    await form.locator('button[type="submit"]').click();
    await page.waitForLoadState('load');
    const pageLang = await page.getAttribute('html', 'lang');
    await context.close();
    return pageLang;
  }

  test('an RSVP made in French gets a French e-mail with French dates; an English one stays English', async () => {
    expect(await rsvpAs('fr', 'Camille', 'camille@picket.test')).toBe('fr');
    expect(await rsvpAs('en', 'Sam', 'sam@picket.test')).toBe('en');
    const stored = await h.database.db('rsvps').where({ event_id: eventId }).orderBy('id').select('name', 'locale');
    expect(stored).toEqual([{ name: 'Camille', locale: 'fr' }, { name: 'Sam', locale: 'en' }]);

    await h.runJobs();
    const french = await h.smtp.waitFor((m) => recipients(m).includes('camille@picket.test'));
    const english = await h.smtp.waitFor((m) => recipients(m).includes('sam@picket.test'));
    const t = h.deps.i18n.t('fr');

    expect(french.text).toContain('16 décembre 2031');
    expect(french.text).toMatch(/mardi/i);
    expect(french.text).toContain('19:00');
    expect(french.text).not.toContain('December');
    expect(french.subject).not.toBe(english.subject);
    expect(french.text).toContain(t('rsvps.mail.greeting', { name: 'Camille' }));
    expect(String(french.html)).toContain('lang="fr"');
    expect(String(french.html)).toContain('Envoyé par Picket');

    expect(english.text).toMatch(/16 December 2031|December 16, 2031/);
    expect(english.text).toContain(h.deps.i18n.t('en')('rsvps.mail.greeting', { name: 'Sam' }));
  });
});
