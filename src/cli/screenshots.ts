// npm run screenshots: photographs the running demo for the README, so the pictures stay current.
// Serves the app on a free local port against the same database `npm start` uses (seed it first
// with `npm run seed`), drives Chromium and writes PNGs into docs/screenshots/.
// Organiser pages need the demo password: SEED_PASSWORD (as for the seed) or --password.
// Options: --password P, --email E (admin@picket.test), --chromium PATH (/usr/bin/chromium),
// --tiles (fetch map tiles; without it the script also runs offline).
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, Page } from 'playwright-core';
import { createApp } from '../app';
import { sessionSecret } from '../db/open';
import { systemClock } from '../lib/clock';
import { createI18n } from '../lib/i18n';
import { createMailer } from '../lib/mail';
import { diskStorage } from '../lib/storage';
import { cliContext } from './context';

const OUT = path.resolve(__dirname, '../../docs/screenshots');
const { values: options } = parseArgs({
  options: {
    password: { type: 'string' },
    email: { type: 'string', default: 'admin@picket.test' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    tiles: { type: 'boolean', default: false },
  },
});
const CHROMIUM = options.chromium!;

interface Shot {
  file: string; path: string; organiser?: boolean; phone?: boolean; lang?: string; fullPage?: boolean;
  /** What a person does on the page before it is photographed. */
  prepare?: (page: Page) => Promise<void>;
}

/** The event form on a phone: the organiser types a city, the map moves there, its embassies are offered. */
async function findVilnius(page: Page): Promise<void> {
  const campaign = page.locator('#field-campaign_id option').nth(1);
  if (await campaign.count()) await page.locator('#field-campaign_id').selectOption(await campaign.getAttribute('value') as string);
  await page.locator('#place-search').fill('Vilnius');
  await page.locator('#place-results button', { hasText: /^Vilnius, LT/ }).first().click({ timeout: 30_000 });
  await page.locator('#place-results button').first().waitFor({ timeout: 10_000 });
  await page.locator('#place-finder').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForLoadState('networkidle');
}

async function main() {
  const { config, logger, database } = await cliContext();
  const db = database.db;
  const now = new Date();
  const event =
    (await db('events').where({ status: 'published' }).andWhere('starts_at', '>', now).orderBy('starts_at').first('id')) ??
    (await db('events').where({ status: 'published' }).orderBy('starts_at', 'desc').first('id'));
  const campaign = await db('campaigns').where({ status: 'active' }).orderBy('id').first('slug');
  if (!event || !campaign) {
    console.error('The database has no published picket or active campaign: run `npm run seed` first.');
    await database.close();
    process.exit(1);
  }

  // Moderation: the queue when something waits, else the moderation page of a picket with media.
  const pending = await db('submissions').where({ status: 'pending' }).first('event_id').catch(() => undefined);
  const withMedia = await db('submissions').where({ status: 'approved' }).orderBy('event_id').first('event_id').catch(() => undefined);
  const moderationPath = pending || !withMedia ? '/organise/moderation' : `/organise/events/${withMedia.event_id}/moderation`;

  const deps = {
    db, config, logger, clock: systemClock,
    mailer: createMailer(config, logger),
    storage: diskStorage(path.join(config.dataDir, 'uploads')),
    i18n: createI18n(config.DEFAULT_LOCALE),
    sessionSecret: sessionSecret(config),
  };
  const server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const shots: Shot[] = [
    { file: 'home.png', path: '/' },
    { file: 'map.png', path: '/map' },
    { file: 'event.png', path: `/events/${event.id}`, fullPage: true },
    { file: 'event-phone-fr.png', path: `/events/${event.id}`, phone: true, lang: 'fr' },
    { file: 'campaign.png', path: `/campaigns/${campaign.slug}`, fullPage: true },
    ...(withMedia ? [{ file: 'report-back.png', path: `/events/${withMedia.event_id}`, fullPage: true }] : []),
    { file: 'organiser-dashboard.png', path: '/organise', organiser: true },
    { file: 'moderation.png', path: moderationPath, organiser: true },
    // Phones: what organisers and activists use on the day.
    { file: 'organiser-dashboard-phone.png', path: '/organise', organiser: true, phone: true },
    { file: 'rsvps-phone.png', path: `/organise/events/${event.id}/rsvps`, organiser: true, phone: true },
    { file: 'map-phone.png', path: '/map', phone: true },
    { file: 'event-phone.png', path: `/events/${event.id}`, phone: true },
    { file: 'place-picket-phone.png', path: '/organise/events/new', organiser: true, phone: true, prepare: findVilnius },
  ];

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const password = options.password ?? config.SEED_PASSWORD;
  const email = options.email!;
  fs.mkdirSync(OUT, { recursive: true });
  const written: string[] = [];
  try {
    for (const shot of shots) {
      const context = await browser.newContext(
        shot.phone ? { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 800 } },
      );
      await context.addCookies([{ name: 'lang', value: shot.lang ?? 'en', url: base }]);
      // Map tiles come from another host: left out unless --tiles (a machine with network).
      if (!options.tiles) {
        await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
      }
      const page = await context.newPage();
      if (shot.organiser) {
        if (!password) {
          console.warn(`  skipped ${shot.file}: set SEED_PASSWORD or pass --password to log in as ${email}`);
          await context.close();
          continue;
        }
        if (!(await logIn(page, base, email, password))) {
          console.warn(`  skipped ${shot.file}: could not log in as ${email}`);
          await context.close();
          continue;
        }
      }
      const response = await page.goto(base + shot.path, { waitUntil: 'networkidle', timeout: 20_000 }).catch(() => null);
      if (!response || response.status() >= 400) {
        console.warn(`  skipped ${shot.file}: ${shot.path} answered ${response?.status() ?? 'nothing'}`);
        await context.close();
        continue;
      }
      if (shot.prepare) {
        const ready = await shot.prepare(page).then(() => true, (error: Error) => {
          console.warn(`  skipped ${shot.file}: ${error.message.split('\n')[0]}`);
          return false;
        });
        if (!ready) {
          await context.close();
          continue;
        }
      }
      await page.screenshot({ path: path.join(OUT, shot.file), fullPage: shot.fullPage ?? false });
      written.push(shot.file);
      console.log(`  docs/screenshots/${shot.file}  (${shot.path})`);
      await context.close();
    }
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
    await database.close();
  }
  console.log(`${written.length} of ${shots.length} screenshots written to docs/screenshots/.`);
}

async function logIn(page: Page, base: string, email: string, password: string): Promise<boolean> {
  await page.goto(base + '/login');
  await page.locator('#field-email').fill(email);
  await page.locator('#field-password').fill(password);
  await page.locator('form[action="/login"] button[type="submit"]').click();
  await page.waitForLoadState('load');
  return !new URL(page.url()).pathname.startsWith('/login');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
