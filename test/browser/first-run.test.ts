import type { Browser } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { describeBrowser, phoneContext, openBrowserOn, closeJourney, Served } from '../support/browser';

describeBrowser('first run in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let site: Served;

  beforeAll(async () => {
    h = await createHarness();
    ({ site, browser } = await openBrowserOn(h.app));
  });
  afterAll(() => closeJourney({ browser, site, h }));

  test('a new admin sets up Picket on a phone, logs out and logs in again', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(site.url + '/');
    expect(new URL(page.url()).pathname).toBe('/setup');
    await page.getByRole('heading', { name: 'Set up Picket' }).waitFor();

    // A mistake first: the form keeps what was typed and says what is wrong.
    await page.getByLabel('Name').fill('Ada Admin');
    await page.getByLabel('E-mail address').fill('ada@picket.test');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByText('Use at least 10 characters').first().waitFor();
    // The summary at the top names the field, and leads to it.
    const summary = page.locator('.flash-error a[href="#field-password"]');
    expect(await summary.innerText()).toMatch(/^Password: Use at least 10 characters/);
    await page.getByLabel('Name').fill('');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.locator('.flash-error a[href="#field-name"]').waitFor();
    expect(await page.locator('.flash-error').first().innerText()).toMatch(/Name: .+\n.*Password: /);
    await page.getByLabel('Name').fill('Ada Admin');
    expect(await page.getByLabel('E-mail address').inputValue()).toBe('ada@picket.test');

    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByText('Your admin account is ready. Welcome to Picket.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/organise');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    await page.goto(site.url + '/login');
    await page.getByLabel('E-mail address').fill('ada@picket.test');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Hello Ada Admin').waitFor();

    // No horizontal scrolling on a 360 px wide phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await context.close();
  });
});
