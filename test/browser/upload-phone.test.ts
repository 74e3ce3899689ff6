// A participant sends two photos from a phone and watches them upload; the organiser masks a
// face and approves; a visitor sees the gallery on the event page.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { describeBrowser, phoneContext, openBrowserOn, closeJourney, Served } from '../support/browser';
import { buildEvent, buildUser } from '../support/factories';
import { cameraPhoto, detailedPicture } from '../support/media';

const AXE = path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js');

/** Serious or critical accessibility problems axe-core finds on the page. */
async function seriousProblems(page: Page): Promise<string[]> {
  // Evaluated by the test driver, not as a page script: the page keeps its strict CSP.
  await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
    const r = await axe.run(document);
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  });
}

async function offline(context: BrowserContext, base: string) {
  await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
}

describeBrowser('photos from a phone, moderated, in the gallery', () => {
  let h: Harness;
  let browser: Browser;
  let site: Served;

  beforeAll(async () => {
    h = await createHarness();
    ({ site, browser } = await openBrowserOn(h.app));
  }, 60_000);
  afterAll(() => closeJourney({ browser, site, h }));

  test('upload, mask, approve, gallery', async () => {
    const organiser = await buildUser(h.database.db, { name: 'Olga Organiser' });
    const event = await buildEvent(h.database.db, organiser, { title: 'Picket at the embassy', starts_at: new Date(Date.now() - 4 * 3600_000), attendance_count: 35 });

    // The participant, on a phone.
    const phone = await phoneContext(browser);
    await offline(phone, site.url);
    const page = await phone.newPage();
    await page.goto(`${site.url}/events/${event.id}`);
    await page.locator('#upload').scrollIntoViewIfNeeded();
    await page.setInputFiles('#field-files', [
      { name: 'IMG_1001.jpg', mimeType: 'image/jpeg', buffer: await detailedPicture(1600, 1200, 4) },
      { name: 'IMG_1002.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(6) },
    ]);
    await page.fill('#field-caption', 'Outside the embassy');
    await page.check('#field-consent');
    // Record every value each progress bar shows, as the participant would see them move.
    await page.evaluate(() => {
      const seen: Record<string, number[]> = {};
      (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
      new MutationObserver(() => {
        document.querySelectorAll('.upload-progress progress').forEach((bar) => {
          const label = bar.getAttribute('aria-label') ?? '';
          (seen[label] ??= []).push((bar as HTMLProgressElement).value);
        });
      }).observe(document.querySelector('.upload-progress')!, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    expect(await seriousProblems(page)).toEqual([]);
    await page.tap('.upload-form button[type="submit"]');
    // Each photo waits for the faces to be looked for on the phone before it is sent.
    await page.waitForSelector('.upload-result.upload-result-ok', { timeout: 240_000 });
    expect(await page.textContent('.upload-result')).toContain('Everything was received');
    const rows = page.locator('.upload-progress li');
    expect(await rows.count()).toBe(2);
    expect(await rows.allTextContents()).toEqual([expect.stringContaining('Photo 1'), expect.stringContaining('Photo 2')]);
    expect(await page.locator('.upload-progress li.upload-ok').count()).toBe(2);
    const values = await page.locator('.upload-progress progress').evaluateAll((bars) => bars.map((b) => (b as HTMLProgressElement).value));
    expect(values).toEqual([100, 100]);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: Record<string, number[]> }).progressSeen);
    expect(Object.keys(seen).sort()).toEqual(['Photo 1', 'Photo 2']);
    // Nothing shows the names the files had on the phone.
    expect(await page.content()).not.toContain('IMG_1001');
    expect(await h.database.db('submissions').where({ status: 'pending' }).count({ n: '*' }).first().then((r) => Number(r?.n))).toBe(2);
    await phone.close();

    // The organiser moderates.
    const desk = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    await offline(desk, site.url);
    const org = await desk.newPage();
    await org.goto(`${site.url}/login`);
    await org.fill('#field-email', organiser.email);
    await org.fill('#field-password', organiser.password);
    await Promise.all([org.waitForURL(/\/organise/), org.click('form[action="/login"] button[type="submit"]')]);
    await org.goto(`${site.url}/organise/events/${event.id}/moderation`);
    expect(await seriousProblems(org)).toEqual([]);
    const first = org.locator('.moderation-item').first();
    const image = first.locator('.mask-editor img');
    await image.waitFor();
    await org.waitForFunction(() => (document.querySelector('.mask-editor img') as HTMLImageElement | null)?.naturalWidth! > 0);
    // The detector has looked at the picture (a checkerboard: no face) before the organiser draws.
    await first.locator('form[data-state="done"]').waitFor({ timeout: 240_000 });
    const box = (await image.boundingBox())!;
    await org.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await org.mouse.down();
    await org.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.35, { steps: 5 });
    await org.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
    await org.mouse.up();
    expect(await first.locator('.mask-box').count()).toBe(1);
    const regions = JSON.parse(await first.locator('[data-regions]').inputValue());
    expect(regions[0].x).toBeCloseTo(0.2, 1);
    expect(regions[0].w).toBeCloseTo(0.3, 1);
    const before = await h.database.db('submissions').orderBy('id').first();
    await Promise.all([org.waitForURL(/moderation/), first.locator('[data-mask-submit]').click()]);
    expect(await org.textContent('.flash')).toContain('masked in every size');
    const after = await h.database.db('submissions').where({ id: before.id }).first();
    expect(after.storage_key).not.toBe(before.storage_key);

    for (let i = 0; i < 2; i++) {
      await Promise.all([org.waitForURL(/moderation/), org.locator('.moderation-pending form[action$="/approve"] button').first().click()]);
    }
    expect(await h.database.db('submissions').where({ status: 'approved' }).count({ n: '*' }).first().then((r) => Number(r?.n))).toBe(2);
    await desk.close();

    // A visitor sees the report-back.
    const visitor = await phoneContext(browser);
    await offline(visitor, site.url);
    const v = await visitor.newPage();
    await v.goto(`${site.url}/events/${event.id}`);
    const gallery = v.locator('.gallery img');
    expect(await gallery.count()).toBe(2);
    await v.waitForFunction(() => [...document.querySelectorAll('.gallery img')].every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));
    expect(await v.textContent('.event-report')).toContain('35 people came.');
    expect(await v.textContent('.gallery')).toContain('Outside the embassy');
    await visitor.close();
  }, 600_000);
});
