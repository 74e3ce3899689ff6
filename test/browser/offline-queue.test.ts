// What a person does with no network reaches Picket once the network is back, exactly once: an
// RSVP and an upload made offline wait on the phone (IndexedDB, in the service worker), the page
// shows the queue, and they are sent when the connection returns. Sending them again (as a phone
// does when an answer is lost) makes no second RSVP, e-mail or upload. Real Chromium, real service
// worker, real SMTP; the network cut with context.setOffline; every request written down.
import type { Browser, Page } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { cameraPhoto } from '../support/media';
import { recipients } from '../support/smtp';
import { buildEvent, buildRsvp, buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, phoneContext, recordingPhone, savedForOffline, Served } from '../support/browser';

let h: Harness;
let browser: Browser;
let site: Served;

beforeAll(async () => {
  h = await createHarness();
  ({ site, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site, h }));

const phone = () => recordingPhone(browser);

interface Queued { key: string; url: string; kind: string; fields: [string, string][] }

/**
 * The items waiting in the phone's queue (read from IndexedDB as the page can), kept in the page
 * (with their files) so the test can put them back later: a browser sending them again.
 */
function keepQueued(page: Page, keep = true): Promise<Queued[]> {
  return page.evaluate(async (keep) => {
    const items = await new Promise<(Queued & { file: { blob: Blob } | null })[]>((resolve, reject) => {
      const open = indexedDB.open('picket-queue');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const request = open.result.transaction('actions').objectStore('actions').getAll();
        request.onsuccess = () => { open.result.close(); resolve(request.result); };
      };
    });
    // Copies of the files in memory: a file read from IndexedDB goes when its record is deleted.
    for (const item of items) if (item.file) item.file.blob = new Blob([await item.file.blob.arrayBuffer()], { type: item.file.blob.type });
    if (keep) (window as unknown as { kept: unknown[] }).kept = items;
    return items.map((r) => ({ key: r.key, url: r.url, kind: r.kind, fields: r.fields }));
  }, keep);
}

/** Puts the kept items back in the queue and asks the service worker to send (a retry). */
async function sendAgain(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('picket-queue');
    open.onsuccess = () => {
      const tx = open.result.transaction('actions', 'readwrite');
      for (const item of (window as unknown as { kept: object[] }).kept) tx.objectStore('actions').put({ ...item, queuedAt: new Date().toISOString() });
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.evaluate(() => navigator.serviceWorker.controller!.postMessage({ type: 'queue-send' }));
  await page.waitForFunction(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => { const o = indexedDB.open('picket-queue'); o.onsuccess = () => resolve(o.result); });
    const count = await new Promise<number>((resolve) => { const r = db.transaction('actions').objectStore('actions').count(); r.onsuccess = () => resolve(r.result); });
    db.close();
    return count === 0 && document.documentElement.getAttribute('data-queue-waiting') === '0';
  }, undefined, { polling: 200 });
}

/** Replays the kept items straight from the page, as the same requests with the same keys. */
function replay(page: Page): Promise<{ status: number; body: unknown }[]> {
  return page.evaluate(async () => {
    const answers: { status: number; body: unknown }[] = [];
    for (const item of (window as unknown as { kept: { key: string; url: string; fields: [string, string][]; file: { name: string; blob: Blob; filename: string } | null }[] }).kept) {
      let body: BodyInit = new URLSearchParams(item.fields);
      if (!item.url.endsWith('/rsvp')) {
        const data = new FormData();
        item.fields.forEach(([k, v]) => data.append(k, v));
        if (item.file) data.append(item.file.name, item.file.blob, item.file.filename);
        body = data;
      }
      const response = await fetch(item.url, { method: 'POST', body, headers: { Accept: 'application/json', 'Idempotency-Key': item.key } });
      answers.push({ status: response.status, body: await response.json() });
    }
    return answers;
  });
}

/** Picket's own addresses, and what the page made itself (a photo's preview is a blob: URL). */
const fromPicket = (url: string) => url.startsWith(site.url + '/') || url.startsWith(`blob:${site.url}/`);

const summary = (page: Page) => page.locator('.offline-queue-summary');

describeBrowser('actions made offline are sent once when the connection returns', () => {
  test('an RSVP made offline: queued on the phone, sent when online; one RSVP and one e-mail, also when sent again twice', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Picket at the embassy in Bern' });
    const { context, page, requests, problems } = await phone();
    await page.goto(`${site.url}/events/${event.id}`);
    await savedForOffline(page);

    await context.setOffline(true);
    await page.getByLabel('Name or nickname').fill('Marta');
    await page.getByLabel('E-mail').fill('marta@picket.test');
    await page.getByRole('button', { name: 'I am coming' }).click();
    // Back on the picket's saved page, which says what waits.
    await page.waitForURL(new RegExp(`/events/${event.id}-[a-z-]+#offline-queue$`));
    await page.getByRole('heading', { name: 'Picket at the embassy in Bern' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.offline-queue-summary')?.textContent === '1 RSVP waiting to send');
    await expect(page.locator('.offline-queue-items li').textContent()).resolves.toBe('RSVP: Picket at the embassy in Bern: waiting for a connection');
    expect(await page.locator('#offline-queue').isVisible()).toBe(true);
    const queued = await keepQueued(page);
    expect(queued).toHaveLength(1);
    expect(queued[0].key).toMatch(/^[0-9a-f-]{36}$/);
    // Only what the person typed (and the form's own fields) is kept.
    expect(Object.fromEntries(queued[0].fields)).toEqual({ _csrf: '', name: 'Marta', email: 'marta@picket.test', role: 'attendee', note: '' });
    expect(await h.database.db('rsvps').where({ event_id: event.id })).toEqual([]);

    await context.setOffline(false);
    await page.locator('.offline-queue-items li.sent').waitFor();
    await expect(summary(page).textContent()).resolves.toBe('Everything was sent.');
    await expect(page.locator('.offline-queue-items li').textContent()).resolves.toBe('RSVP: Picket at the embassy in Bern: sent (You are going. See you there!)');
    expect(await keepQueued(page, false)).toEqual([]); // the typed data left the phone once received

    // The browser sends it again, twice (an answer lost on the way back): the same key, nothing new.
    await sendAgain(page);
    await sendAgain(page);
    const replays = await replay(page);
    expect(replays).toEqual([{ status: 201, body: { ok: true, status: 'going', message: 'You are going. See you there!', next: `/events/${event.id}/rsvp/done`, manage: false } }]);
    const rsvps = await h.database.db('rsvps').where({ event_id: event.id });
    expect(rsvps.map((r) => [r.name, r.email, r.status])).toEqual([['Marta', 'marta@picket.test', 'going']]);
    await h.runJobs();
    await h.smtp.waitFor((m) => recipients(m).includes('marta@picket.test'));
    await h.runJobs();
    expect(h.smtp.to('marta@picket.test')).toHaveLength(1);

    // The person clears the list of outcomes.
    await page.getByRole('button', { name: 'Clear this list' }).click();
    await page.locator('#offline-queue').waitFor({ state: 'hidden' });

    expect(requests.filter((url) => !fromPicket(url))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  test('what waits is sent the next time Picket is opened with a connection, even after the page was closed', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Leafleting in Prague', headcount_only_allowed: true });
    const { context, page, requests, problems } = await phone();
    await page.goto(`${site.url}/events/${event.id}`);
    await savedForOffline(page);
    await context.setOffline(true);
    await page.getByLabel('Name or nickname').fill('Jan');
    await page.getByRole('button', { name: 'I am coming' }).click();
    await page.waitForFunction(() => document.querySelector('.offline-queue-summary')?.textContent === '1 RSVP waiting to send');
    await page.close();

    // Later, with a connection, the person opens Picket's front page.
    await context.setOffline(false);
    const later = await context.newPage();
    later.on('pageerror', (error) => problems.push(error.message));
    await later.goto(`${site.url}/`);
    await later.locator('.offline-queue-items li.sent').waitFor({ timeout: 20_000 });
    // Head-count only: the answer is the person's manage link, shown in the list, and kept offline.
    const link = later.getByRole('link', { name: 'Your link to change or cancel this RSVP (keep it)' });
    expect(await link.getAttribute('href')).toMatch(/^\/rsvp\/[A-Za-z0-9_-]{43}$/);
    const rsvps = await h.database.db('rsvps').where({ event_id: event.id });
    expect(rsvps.map((r) => [r.name, r.email, r.status])).toEqual([['Jan', null, 'going']]);
    await later.waitForFunction(async () => (await (await caches.open('picket-own')).keys()).length === 1, undefined, { polling: 200 });
    expect(requests.filter((url) => !fromPicket(url))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  test('two photos and a letter sent offline: the queue shows them, they are stored once when online, also when sent again twice', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Picket that just ended', starts_at: new Date(Date.now() - 2 * 3600_000), ends_at: new Date(Date.now() - 600_000) });
    const { context, page, requests, problems } = await phone();
    await page.goto(`${site.url}/events/${event.id}`);
    await savedForOffline(page);
    // A photo chosen while online: the face detector runs, and the phone keeps it.
    await page.setInputFiles('#field-files', [{ name: 'IMG_0.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(1) }]);
    expect(await page.locator('.mask-list li[data-state]').getAttribute('data-state', { timeout: 45_000 })).toBe('done');
    await page.waitForFunction(async () => (await (await caches.open('picket-faces')).keys()).some((r) => r.url.endsWith('/ssd_mobilenetv1_model.bin')), undefined, { polling: 200 });
    await context.setOffline(true);
    // The page is reloaded with no network: it comes from the phone, and so does the form.
    await page.reload();
    await page.locator('#saved-offline').waitFor();

    await page.setInputFiles('#field-files', [
      { name: 'IMG_1.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(1) },
      { name: 'IMG_2.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(6) },
    ]);
    // Faces are still looked for on the phone with no network, before anything waits to be sent.
    await page.waitForFunction(() => document.querySelectorAll('.mask-list li[data-state]').length === 2, undefined, { timeout: 45_000 });
    expect(await page.locator('.mask-list li').evaluateAll((items) => items.map((li) => li.getAttribute('data-state')))).toEqual(['done', 'done']);
    await page.check('#field-consent');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.upload-progress li.upload-queued').nth(1).waitFor();
    await page.waitForFunction(() => /^Saved on this phone/.test(document.querySelector('.upload-result')?.textContent ?? ''));
    await page.getByLabel('A protest letter').check();
    await page.getByLabel('Text of the letter').fill('We ask for the release of all political prisoners.');
    if (!(await page.isChecked('#field-consent'))) await page.check('#field-consent');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('.upload-progress li.upload-queued').first().waitFor();
    await page.waitForFunction(() => document.querySelector('.offline-queue-summary')?.textContent === '2 photos waiting to send · 1 letter waiting to send');
    // The list fits a 360 px phone.
    expect(await page.locator('#offline-queue').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const queued = await keepQueued(page);
    expect(queued.map((q) => q.kind).sort()).toEqual(['letter', 'photo', 'photo']);
    expect(new Set(queued.map((q) => q.key)).size).toBe(3);
    expect(await h.database.db('submissions').where({ event_id: event.id })).toEqual([]);

    await context.setOffline(false);
    await page.waitForFunction(() => document.querySelectorAll('.offline-queue-items li.sent').length === 3)
      .catch(async (e) => { throw new Error(`${e.message}\n${await page.locator('#offline-queue').innerText()}`); });
    await expect(summary(page).textContent()).resolves.toBe('Everything was sent.');
    await sendAgain(page);
    await sendAgain(page);
    const replays = await replay(page);
    expect(replays.map((r) => r.status)).toEqual([201, 201, 201]);

    const stored = await h.database.db('submissions').where({ event_id: event.id }).orderBy('id');
    expect(stored.map((s) => s.kind).sort()).toEqual(['letter', 'photo', 'photo']);
    expect(stored.find((s) => s.kind === 'letter')!.letter_text).toBe('We ask for the release of all political prisoners.');
    const files = new Set((await h.deps.storage.list('media/')).map((f) => f.split('/')[1]));
    expect([...files].sort()).toEqual(stored.filter((s) => s.storage_key).map((s) => s.storage_key).sort());
    expect(files.size).toBe(2);

    expect(requests.filter((url) => !fromPicket(url))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  test("a person's own picket: the manage page of an RSVP made on this phone is kept offline with its meeting point; someone else's is not", async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, {
      title: 'Vigil with a private meeting point', headcount_only_allowed: true,
      meeting_point_private: true, meeting_point: 'By the red kiosk at the north gate',
    });
    const someoneElse = await buildRsvp(h.database.db, event, { name: 'Other person' });
    const { context, page, requests, problems } = await phone();
    await page.goto(`${site.url}/events/${event.id}`);
    await savedForOffline(page);
    expect(await page.content()).not.toContain('By the red kiosk');
    // Head-count only: the manage page is where the person lands, with the meeting point.
    await page.getByLabel('Name or nickname').fill('Lena');
    await page.getByRole('button', { name: 'I am coming' }).click();
    await page.waitForURL(/\/rsvp\/[A-Za-z0-9_-]{43}$/);
    await page.getByText('By the red kiosk at the north gate').first().waitFor();
    await page.waitForSelector('html[data-own-kept="true"]', { state: 'attached' });
    const mine = page.url();
    // Someone else's link opened on this phone is not kept.
    await page.goto(`${site.url}/rsvp/${someoneElse.token}`);
    await page.waitForSelector('html[data-own-kept="false"]', { state: 'attached' });

    await context.setOffline(true);
    await page.goto(mine);
    await page.getByText('By the red kiosk at the north gate').first().waitFor();
    expect(await page.locator('#saved-offline').isVisible()).toBe(true);
    await page.goto(`${site.url}/rsvp/${someoneElse.token}`);
    await page.getByRole('heading', { name: 'Not saved for offline' }).waitFor();
    expect(await page.content()).not.toContain('Other person');
    const kept = await page.evaluate(async () => (await (await caches.open('picket-own')).keys()).map((r) => r.url));
    expect(kept).toEqual([mine]);
    expect(requests.filter((url) => !fromPicket(url))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  test('a browser that cannot keep it (a private window) says at once that an offline RSVP was not sent, and keeps what was typed', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Picket seen from a private window' });
    const context = await phoneContext(browser, { locale: 'en-GB', serviceWorkers: 'block' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${site.url}/events/${event.id}`);
    await context.setOffline(true);
    await page.getByLabel('Name or nickname').fill('Petra');
    await page.getByLabel('E-mail').fill('petra@picket.test');
    await page.getByRole('button', { name: 'I am coming' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^No connection, and this browser cannot keep it for later/);
    expect(await page.getByLabel('Name or nickname').inputValue()).toBe('Petra');
    await context.setOffline(false);
    expect(await h.database.db('rsvps').where({ event_id: event.id })).toEqual([]);
    await context.close();
  }, 60_000);

  test('the map reloaded with no network shows the base map and the markers, from the phone', async () => {
    const owner = await buildUser(h.database.db);
    await buildEvent(h.database.db, owner, { title: 'Picket in Yerevan', city: 'Yerevan', country: 'AM', latitude: 40.1792, longitude: 44.4991, timezone: 'Asia/Yerevan' });
    const { context, page, requests, problems } = await phone();
    await page.goto(`${site.url}/map?lat=40&lng=44&z=5`);
    await page.waitForSelector('html[data-map-ready]', { state: 'attached' });
    await savedForOffline(page);
    // The map's data was kept as it arrived.
    await page.waitForFunction(async () => (await (await caches.open('picket-saved')).keys()).some((r) => r.url.includes('/api/events.geojson')), undefined, { polling: 200 });

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('#map[data-base-map="ready"]', { state: 'attached' });
    await page.waitForSelector('html[data-map-ready]', { state: 'attached' });
    expect(await page.locator('#saved-offline').isVisible()).toBe(true);
    expect(await page.locator('#map .leaflet-base-pane path').count()).toBeGreaterThan(100);
    await page.locator('#map .leaflet-marker-pane .map-marker, #map .leaflet-marker-pane .marker-cluster').first().waitFor();
    expect(requests.filter((url) => !fromPicket(url))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
