// Blackout-ready: a person opens a picket, the network is cut, and what they need is still there;
// no request ever leaves for another host; the phone can forget everything. Real Chromium, real
// service worker (a real HTTP server on 127.0.0.1), the network cut with context.setOffline.
import request from 'supertest';
import type { Browser } from 'playwright-core';
import { createHarness, Harness } from '../support/harness';
import { cameraPhoto } from '../support/media';
import { buildCampaign, buildEvent, buildUser } from '../support/factories';
import { describeBrowser, openBrowserOn, closeJourney, phoneContext, recordingPhone, savedForOffline, Served } from '../support/browser';

let h: Harness;
let browser: Browser;
let site: Served;

beforeAll(async () => {
  h = await createHarness(); // no TILE_URL: the default
  ({ site, browser } = await openBrowserOn(h.app));
}, 60_000);
afterAll(() => closeJourney({ browser, site, h }));

const phone = () => recordingPhone(browser);

describeBrowser('Picket when the network is cut', () => {
  test('the app installs: a valid manifest, and the service worker controls the page (checked from the page)', async () => {
    await buildUser(h.database.db); // an instance that is set up
    const { context, page, requests } = await phone();
    await page.goto(site.url + '/');
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector('link[rel="manifest"]') as HTMLLinkElement;
      const response = await fetch(link.href);
      return { type: response.headers.get('content-type'), body: await response.json() };
    });
    expect(manifest.type).toMatch(/^application\/manifest\+json/);
    expect(manifest.body).toMatchObject({ name: 'Picket', start_url: '/', display: 'standalone' });
    expect(manifest.body.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const sizes = await page.evaluate(async (icons: { src: string; sizes: string }[]) => Promise.all(icons.map(async (icon) => {
      const image = new Image();
      image.src = icon.src;
      await image.decode();
      return { declared: icon.sizes, real: `${image.naturalWidth}x${image.naturalHeight}` };
    })), manifest.body.icons);
    expect(sizes.map((s) => s.real)).toEqual(sizes.map((s) => s.declared));
    expect(sizes.map((s) => s.real)).toContain('512x512');

    await savedForOffline(page);
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { scope: registration.scope, controller: navigator.serviceWorker.controller?.scriptURL, caches: await caches.keys() };
    });
    expect(worker.scope).toBe(site.url + '/');
    expect(worker.controller).toBe(site.url + '/sw.js');
    // The app shell was precached by Workbox from the manifest workbox-build made.
    const shell = await page.evaluate(async () => {
      const name = (await caches.keys()).find((key) => key.startsWith('workbox-precache'))!;
      return (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname);
    });
    expect(shell).toEqual(expect.arrayContaining([
      '/public/css/app.css', '/public/js/offline/app.js', '/vendor/leaflet/leaflet.js', '/vendor/world/countries-110m.json',
      '/public/icons/icon-192.png', '/offline',
    ]));
    expect(requests.every((url) => url.startsWith(site.url))).toBe(true);
    await context.close();
  }, 60_000);

  test('a person opens a picket, goes offline, reloads: the page and its map show, marked as saved; organiser pages are not kept', async () => {
    const db = h.database.db;
    const organiser = await buildUser(db, { name: 'Olga Organiser' });
    const campaign = await buildCampaign(db, organiser, { slug: 'free-the-two', title: 'Free the Two' });
    const event = await buildEvent(db, organiser, { campaign_id: campaign.id, title: 'Picket outside the embassy in Vilnius', city: 'Vilnius', country: 'LT', latitude: 54.6872, longitude: 25.2797, timezone: 'Europe/Vilnius' });
    await db('events').where({ id: event.id }).update({ legal_support: '+370 600 00000', contact_text: 'Stewards wear yellow armbands.' });
    await db('letter_templates').insert({ campaign_id: campaign.id, language: 'en', title: 'To the ambassador', body: 'We ask for the release of the Two.' });
    const { context, page, requests, problems } = await phone();

    await page.goto(`${site.url}/events/${event.id}`);
    await savedForOffline(page);
    await page.goto(`${site.url}/campaigns/free-the-two`);
    await savedForOffline(page);
    // The organiser logs in on the same phone and opens her dashboard.
    await page.goto(`${site.url}/login`);
    await page.getByLabel('E-mail').fill(organiser.email);
    await page.getByLabel('Password').fill(organiser.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/organise$/);
    await page.getByText('Picket outside the embassy in Vilnius').first().waitFor();

    await context.setOffline(true);
    await page.goto(`${site.url}/events/${event.id}`);
    await page.getByRole('heading', { name: 'Picket outside the embassy in Vilnius' }).waitFor();
    await expect(page.locator('#saved-offline').textContent()).resolves.toMatch(/^Saved for offline, as of \d\d:\d\d\.$/);
    expect(await page.locator('#saved-offline').isVisible()).toBe(true);
    await page.waitForSelector('#event-map[data-base-map="ready"]');
    expect(await page.locator('#event-map .leaflet-marker-icon').count()).toBe(1);
    expect(await page.locator('#event-map path.leaflet-interactive, #event-map .leaflet-base-pane path').count()).toBeGreaterThan(100);

    // The card was saved with the page: time, place, legal support, the organisers' note, the letter.
    await page.getByRole('link', { name: 'Picket card (print or save for offline)' }).click();
    await page.getByRole('heading', { name: 'Picket outside the embassy in Vilnius' }).waitFor();
    expect(await page.locator('#saved-offline').isVisible()).toBe(true);
    const card = await page.locator('.picket-card').innerText();
    expect(card).toContain('+370 600 00000');
    expect(card).toContain('Stewards wear yellow armbands.');
    expect(card).toContain('We ask for the release of the Two.');
    expect(card).toContain('Vilnius');

    await page.goto(`${site.url}/campaigns/free-the-two`);
    await page.getByRole('heading', { name: 'Free the Two' }).first().waitFor();
    expect(await page.locator('#saved-offline').isVisible()).toBe(true);

    // The organiser's dashboard was never kept: offline, the phone says so and shows nothing of it.
    await page.goto(`${site.url}/organise`);
    await page.getByRole('heading', { name: 'Not saved for offline' }).waitFor();
    expect(await page.content()).not.toContain('Picket outside the embassy in Vilnius');
    const kept = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(kept).toEqual(expect.arrayContaining([`/events/${event.id}-picket-outside-the-embassy-in-vilnius`, `/events/${event.id}/card`, '/campaigns/free-the-two']));
    expect(kept.filter((path) => /^\/(organise|admin|login|rsvp\/)/.test(path))).toEqual([]);

    expect(requests.every((url) => url.startsWith(site.url))).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  test('"Forget this device" leaves no cache, IndexedDB, cookie or service worker behind', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Vigil at the consulate' });
    const { context, page } = await phone();
    await page.goto(`${site.url}/events/${event.id}`);
    await savedForOffline(page);
    await page.getByRole('link', { name: 'Français' }).first().click(); // a cookie: the language chosen
    await page.waitForURL(new RegExp(`/events/${event.id}`));
    await page.evaluate(() => new Promise((resolve) => { indexedDB.open('picket-queue').onsuccess = resolve; }));
    expect(await context.cookies()).not.toEqual([]);
    expect(await page.evaluate(() => caches.keys())).not.toEqual([]);

    await page.getByRole('button', { name: 'Oublier cet appareil' }).click();
    await page.getByRole('heading', { name: 'Cet appareil a oublié Picket' }).waitFor();
    const left = await page.evaluate(async () => ({
      caches: await caches.keys(),
      databases: (await indexedDB.databases()).map((db) => db.name),
      workers: (await navigator.serviceWorker.getRegistrations()).length,
    }));
    expect(left).toEqual({ caches: [], databases: [], workers: 0 });
    expect(await context.cookies()).toEqual([]);
    await context.close();
  }, 60_000);

  test('with JavaScript off, a person reads a picket, RSVPs and uploads a photo and a letter', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Picket with scripts off', headcount_only_allowed: true, starts_at: new Date(Date.now() + 2 * 3600_000) });
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${site.url}/events/${event.id}`);
    await page.getByRole('heading', { name: 'Picket with scripts off' }).waitFor();
    await page.getByLabel('Name or nickname').fill('Tor user');
    await page.getByRole('button', { name: 'I am coming' }).click();
    await page.getByRole('heading').first().waitFor();
    await page.waitForURL(/\/rsvp\//);
    const rsvps = await h.database.db('rsvps').where({ event_id: event.id });
    expect(rsvps.map((r) => [r.name, r.status])).toEqual([['Tor user', 'going']]);
    // The manage link works without scripts too: the person changes her role.
    await page.getByLabel('I come as').selectOption('steward');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/\/rsvp\//);
    expect((await h.database.db('rsvps').where({ event_id: event.id }).first()).role).toBe('steward');

    // After a picket: two photos in one form, then a typed letter in another: plain multipart forms.
    const past = await buildEvent(h.database.db, owner, { title: 'Picket that took place', starts_at: new Date(Date.now() - 3 * 3600_000), ends_at: new Date(Date.now() - 3600_000) });
    await page.goto(`${site.url}/events/${past.id}`);
    await page.setInputFiles('#field-files', [
      { name: 'IMG_1.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(1) },
      { name: 'IMG_2.jpg', mimeType: 'image/jpeg', buffer: await cameraPhoto(6) },
    ]);
    await page.check('#field-consent');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForLoadState();
    await page.goto(`${site.url}/events/${past.id}`);
    await page.getByLabel('A protest letter').check();
    await page.getByLabel('Text of the letter').fill('Free them all.');
    await page.check('#field-consent');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForLoadState();
    const sent = await h.database.db('submissions').where({ event_id: past.id }).orderBy('id');
    expect(sent.map((s) => [s.kind, s.status])).toEqual([['photo', 'pending'], ['photo', 'pending'], ['letter', 'pending']]);
    await context.close();
  }, 60_000);

  test('Onion-Location offers the onion address when ONION_URL is set, and only then', async () => {
    const onion = await createHarness({ env: { ONION_URL: 'http://picketexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxx.onion' } });
    try {
      const withOnion = await request(onion.app).get('/map');
      expect(withOnion.headers['onion-location']).toBe('http://picketexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxx.onion/map');
      expect((await request(h.app).get('/map')).headers['onion-location']).toBeUndefined();
    } finally {
      await onion.close();
    }
  });

  test('the map with no TILE_URL shows the base map and the markers; no request ever goes to another host', async () => {
    const owner = await buildUser(h.database.db);
    await buildEvent(h.database.db, owner, { title: 'Picket in Tbilisi', city: 'Tbilisi', country: 'GE', latitude: 41.7151, longitude: 44.8271, timezone: 'Asia/Tbilisi' });
    const { context, page, requests, problems } = await phone();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(`${site.url}/map?lat=42&lng=44&z=5`);
    await page.waitForSelector('html[data-map-ready]', { state: 'attached', timeout: 8000 }).catch(() => { throw new Error(problems.join('\n') || 'map not ready'); });
    await savedForOffline(page);
    await page.waitForSelector('#map[data-base-map="ready"]', { state: 'attached' });

    expect(await page.locator('#map .leaflet-base-pane path').count()).toBeGreaterThan(100);
    expect(await page.locator('#map .leaflet-marker-pane .map-marker, #map .leaflet-marker-pane .marker-cluster').count()).toBeGreaterThan(0);
    await expect(page.locator('#map').innerText()).resolves.toContain('Tbilisi'); // the capital's label
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((url) => !url.startsWith(site.url + '/'))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  test('on a slow 3G connection, the first load of a picket page shows its content in under 3 seconds', async () => {
    const owner = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, owner, { title: 'Picket on a slow network' });
    const context = await phoneContext(browser, { locale: 'en-GB' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // Lighthouse's slow 3G: 400 ms round trips, 400 kbit/s down and up.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: 400 * 1024 / 8, uploadThroughput: 400 * 1024 / 8 });
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(`${site.url}/events/${event.id}`, { timeout: 30_000 });
    const paint = await page.evaluate(() => new Promise<number>((resolve) => {
      new PerformanceObserver((list) => {
        const fcp = list.getEntries().find((e) => e.name === 'first-contentful-paint');
        if (fcp) resolve(fcp.startTime);
      }).observe({ type: 'paint', buffered: true });
    }));
    // The heading is painted content, and it is there at first paint (no script renders it).
    expect(await page.getByRole('heading', { name: 'Picket on a slow network' }).isVisible()).toBe(true);
    expect(paint).toBeGreaterThan(400); // the throttling really applied: at least one round trip
    expect(paint).toBeLessThan(3000);
    await context.close();
  }, 60_000);
});
