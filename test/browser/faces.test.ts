// A participant chooses a photo of 29 people on a phone: the faces are found on the phone (no
// request leaves Picket), each gets a solid black box, the participant unmasks one by mistake and
// sends it. What is stored has every other face black in every size, and the original is never
// stored. The organiser's moderation page finds the face left bare and masks it before approving.
// Without JavaScript the upload still works and the organiser masks with a grid of squares.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { describeBrowser, phoneContext, openBrowserOn, closeJourney, Served } from '../support/browser';
import { buildEvent, buildUser } from '../support/factories';
import { detailIn } from '../support/media';
import { WORKER_CSP } from '../../src/routes/faces';

const PHOTO = fs.readFileSync(path.join(__dirname, '../fixtures/solvay-conference-1927.jpg'));
// The centre of Albert Einstein's face, as fractions of the picture.
const EINSTEIN = { x: 0.545, y: 0.57 };

type Box = { x: number; y: number; w: number; h: number };

/** The brightest value inside `box` less a margin for JPEG's soft edges: near 0 means solid black. */
async function brightestIn(data: Buffer, box: Box): Promise<number> {
  const { width = 0, height = 0 } = await sharp(data).metadata();
  const left = Math.ceil((box.x + box.w * 0.15) * width);
  const top = Math.ceil((box.y + box.h * 0.15) * height);
  const w = Math.max(1, Math.floor(box.w * 0.7 * width));
  const h = Math.max(1, Math.floor(box.h * 0.7 * height));
  const stats = await sharp(await sharp(data).extract({ left, top, width: w, height: h }).png().toBuffer()).stats();
  return Math.max(...stats.channels.map((c) => c.max));
}

function contains(b: Box, p: { x: number; y: number }): boolean {
  return p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h;
}

/** Every file under `dir`, however deep. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Lets the page reach Picket only, and remembers every address it asked for. */
async function onlyPicket(context: BrowserContext, base: string): Promise<string[]> {
  const asked: string[] = [];
  await context.route('**/*', (route) => {
    asked.push(route.request().url());
    return route.request().url().startsWith(base) ? route.continue() : route.abort();
  });
  return asked;
}

async function logInAs(page: Page, base: string, user: { email: string; password: string }) {
  await page.goto(`${base}/login`);
  await page.fill('#field-email', user.email);
  await page.fill('#field-password', user.password);
  await Promise.all([page.waitForURL(/\/organise/), page.click('form[action="/login"] button[type="submit"]')]);
}

describeBrowser('faces masked before a photo leaves the phone', () => {
  let h: Harness;
  let browser: Browser;
  let site: Served;

  beforeAll(async () => {
    h = await createHarness();
    ({ site, browser } = await openBrowserOn(h.app));
  }, 60_000);
  afterAll(() => closeJourney({ browser, site, h }));

  test('a photo of 29 people: faces found on the phone, masked in every stored size, the bare one masked in moderation', async () => {
    const organiser = await buildUser(h.database.db, { name: 'Olga Organiser' });
    const event = await buildEvent(h.database.db, organiser, { title: 'Picket at the embassy', starts_at: new Date(Date.now() - 4 * 3600_000) });

    // No offline app: the test reads the upload as the page sends it (through the service worker,
    // the page's request would carry no body for Playwright to read).
    const phone = await phoneContext(browser, { serviceWorkers: 'block' });
    const asked = await onlyPicket(phone, site.url);
    const page = await phone.newPage();
    await page.goto(`${site.url}/events/${event.id}/upload`);
    expect(await page.textContent('.upload-safety')).toContain('faces found in them are covered with solid black boxes');
    expect(await page.textContent('.upload-safety')).toContain('location, camera details and all other hidden data are removed');
    // The page's own policy does not allow compiling WebAssembly; only the detector's worker may.
    const csp = (await page.request.get(`${site.url}/events/${event.id}/upload`)).headers()['content-security-policy'];
    expect(csp).not.toContain('wasm-unsafe-eval');
    expect((await page.request.get(`${site.url}/public/js/face-worker.js`)).headers()['content-security-policy']).toBe(WORKER_CSP);

    await page.setInputFiles('#field-files', { name: 'IMG_2001.jpg', mimeType: 'image/jpeg', buffer: PHOTO });
    const item = page.locator('.mask-list li');
    await page.locator('.mask-list li[data-state]').waitFor({ timeout: 300_000 });
    expect(await item.getAttribute('data-state')).toBe('done');
    const found = Number(await item.getAttribute('data-faces'));
    expect(found).toBeGreaterThanOrEqual(24); // of 29, some half hidden behind others
    expect(await page.isChecked('[data-mask-all]')).toBe(true);
    expect(await page.locator('.mask-box:not(.mask-off)').count()).toBe(found);
    expect(await page.textContent('.mask-status')).toContain(`Faces found: ${found}. Black boxes now: ${found}.`);

    // The participant taps Einstein's box by mistake: it is unmasked.
    await page.locator('.mask-editor img').scrollIntoViewIfNeeded();
    const picture = (await page.locator('.mask-editor img').boundingBox())!;
    await page.touchscreen.tap(picture.x + picture.width * EINSTEIN.x, picture.y + picture.height * EINSTEIN.y);
    expect(await page.locator('.mask-box.mask-off').count()).toBe(1);
    await page.screenshot({ path: '/tmp/picket-upload-faces.png', fullPage: true });
    expect(await page.textContent('.mask-status')).toContain(`Black boxes now: ${found - 1}.`);

    let sent = '';
    page.on('request', (r: Request) => {
      if (r.method() === 'POST' && r.url().endsWith('/submissions')) sent = r.postDataBuffer()?.toString('latin1') ?? '';
    });
    await page.check('#field-consent');
    await page.tap('.upload-form button[type="submit"]');
    await page.waitForSelector('.upload-result.upload-result-ok', { timeout: 60_000 });
    expect(asked.filter((url) => !url.startsWith(site.url))).toEqual([]);
    expect(asked.some((url) => url.endsWith('/vendor/faces/ssd_mobilenetv1_model.bin'))).toBe(true);
    const boxes: Box[] = JSON.parse(/name="masks"\r\n\r\n([^\r]*)\r\n/.exec(sent)![1])[0];
    expect(boxes).toHaveLength(found - 1);
    expect(boxes.some((b) => contains(b, EINSTEIN))).toBe(false);
    await phone.close();

    // What is stored: two sizes of the masked picture, nothing else anywhere under the data folder.
    const row = await h.database.db('submissions').orderBy('id', 'desc').first();
    expect((await h.deps.storage.list('media/')).sort()).toEqual([`media/${row.storage_key}/display.jpg`, `media/${row.storage_key}/thumb.jpg`]);
    for (const file of filesUnder(h.dataDir)) expect(fs.readFileSync(file).equals(PHOTO)).toBe(false);
    for (const size of ['display', 'thumb']) {
      const data = (await h.deps.storage.get(`media/${row.storage_key}/${size}.jpg`))!;
      for (const box of boxes) expect(await brightestIn(data, box)).toBeLessThan(24);
      expect(await detailIn(data, { x: EINSTEIN.x - 0.015, y: EINSTEIN.y - 0.02, w: 0.03, h: 0.04 })).toBeGreaterThan(15);
    }

    // The organiser's moderation page finds the face left bare, already marked to mask.
    const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const deskAsked = await onlyPicket(desk, site.url);
    const org = await desk.newPage();
    await logInAs(org, site.url, organiser);
    await org.goto(`${site.url}/organise/events/${event.id}/moderation`);
    const form = org.locator('form[data-mask-form]');
    await org.locator('form[data-mask-form][data-state]').waitFor({ timeout: 300_000 });
    expect(await form.getAttribute('data-state')).toBe('done');
    expect(Number(await form.getAttribute('data-faces'))).toBeGreaterThanOrEqual(1);
    const marked: Box[] = JSON.parse(await form.locator('[data-regions]').inputValue());
    expect(marked.some((b) => contains(b, EINSTEIN))).toBe(true);
    await org.screenshot({ path: '/tmp/picket-moderation-faces.png' });
    await Promise.all([org.waitForURL(/moderation/), form.locator('[data-mask-submit]').click()]);
    expect(await org.textContent('.flash')).toContain('masked in every size');
    await Promise.all([org.waitForURL(/moderation/), org.locator('form[action$="/approve"] button').click()]);
    expect(deskAsked.filter((url) => !url.startsWith(site.url))).toEqual([]);
    await desk.close();

    const approved = await h.database.db('submissions').where({ id: row.id }).first();
    expect(approved.status).toBe('approved');
    expect((await h.deps.storage.list('media/')).sort()).toEqual([`media/${approved.storage_key}/display.jpg`, `media/${approved.storage_key}/thumb.jpg`]);
    for (const size of ['display', 'thumb']) {
      const res = await fetch(`${site.url}/media/${approved.storage_key}/${size}`);
      expect(res.status).toBe(200);
      const data = Buffer.from(await res.arrayBuffer());
      const einstein = marked.find((b) => contains(b, EINSTEIN))!;
      expect(await brightestIn(data, einstein)).toBeLessThan(24);
      for (const box of boxes) expect(await brightestIn(data, box)).toBeLessThan(24);
    }
  }, 900_000);

  test('without JavaScript: the photo is sent as it is, and the organiser masks squares of a grid', async () => {
    const organiser = await buildUser(h.database.db, { name: 'Nina Noscript' });
    const event = await buildEvent(h.database.db, organiser, { title: 'Vigil', starts_at: new Date(Date.now() - 4 * 3600_000) });
    const phone = await phoneContext(browser, { javaScriptEnabled: false });
    const page = await phone.newPage();
    await page.goto(`${site.url}/events/${event.id}/upload`);
    expect(await page.isVisible('[data-mask-photos]')).toBe(false);
    await page.setInputFiles('#field-files', { name: 'IMG_2002.jpg', mimeType: 'image/jpeg', buffer: PHOTO });
    await page.check('#field-consent');
    await Promise.all([page.waitForURL(/\/upload$/), page.tap('.upload-form button[type="submit"]')]);
    expect(await page.textContent('.flash')).toContain('We received 1 file');
    await phone.close();
    const row = await h.database.db('submissions').orderBy('id', 'desc').first();

    const desk = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
    const org = await desk.newPage();
    await logInAs(org, site.url, organiser);
    await org.goto(`${site.url}/organise/events/${event.id}/moderation`);
    // Row 5 of 8, column 6 of 10: Einstein's face.
    await org.check('input[name="cells"][value="4-5"]');
    await Promise.all([org.waitForURL(/moderation/), org.click('[data-mask-submit]')]);
    expect(await org.textContent('.flash')).toContain('masked in every size');
    await desk.close();
    const after = await h.database.db('submissions').where({ id: row.id }).first();
    for (const size of ['display', 'thumb']) {
      const data = (await h.deps.storage.get(`media/${after.storage_key}/${size}.jpg`))!;
      expect(await brightestIn(data, { x: 0.5, y: 4 / 8, w: 0.1, h: 1 / 8 })).toBeLessThan(24);
    }
  }, 120_000);
});
