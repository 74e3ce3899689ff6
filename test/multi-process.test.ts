// Picket on two servers: two real app processes (as `npm start` runs them) on one database and
// one bucket, behind a round-robin proxy, each running the job worker. Whatever a person does
// through one process, the other shows at once; what one deletes is gone for both.
import sharp from 'sharp';
import { createTestDatabase, TestDatabase } from './support/db';
import { recipients, startSmtp, TestSmtp } from './support/smtp';
import { startS3, TestS3 } from './support/s3';
import { AppProcess, Browser, Proxy, startAppProcess, startProxy } from './support/processes';
import { buildEvent, buildUser } from './support/factories';
import { detailedPicture, detailIn } from './support/media';
import { bucketSettings, bucketStorage, Storage } from '../src/lib/storage';
import { loadConfig } from '../src/config';

// Two servers, a proxy and a worker each on a shared two-core machine: steps take longer than in-process tests.
jest.setTimeout(120_000);

let database: TestDatabase;
let smtp: TestSmtp;
let s3: TestS3;
let proxy: Proxy;
let a: AppProcess;
let b: AppProcess;
let bucket: Storage;
let owner: Awaited<ReturnType<typeof buildUser>>;
let pastEventId: number;

beforeAll(async () => {
  [database, smtp, s3, proxy] = await Promise.all([createTestDatabase(), startSmtp(), startS3(), startProxy()]);
  const env = {
    ...s3.env,
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    BASE_URL: proxy.url,
    SESSION_SECRET: 'one secret shared by every process of this instance',
    TRUST_PROXY: 'true',
    NODE_ENV: 'production',
    WORKER: 'true',
    DATABASE_POOL_MAX: '5',
    WORKER_POOL_MAX: '5',
    EXPECTED_PROCESSES: '2',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  [a, b] = await Promise.all([startAppProcess('A', env), startAppProcess('B', env)]);
  proxy.route([a, b]);
  bucket = bucketStorage(bucketSettings(loadConfig(s3.env))!);
  owner = await buildUser(database.db, { name: 'Olga Owner' });
  pastEventId = (await buildEvent(database.db, owner, { title: 'Vigil yesterday', starts_at: new Date(Date.now() - 26 * 3600_000) })).id;
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  bucket?.close?.();
  await Promise.all([proxy?.stop(), smtp?.stop(), s3?.stop()]);
  await database?.drop();
}, 60_000);

async function organiserOn(process: AppProcess): Promise<Browser> {
  const browser = new Browser(proxy.url);
  const res = await browser.submit(`${process.url}/login`, `${process.url}/login`, { email: owner.email, password: owner.password });
  expect(res.status).toBe(303);
  return browser;
}

/** A participant's upload through `process`; returns the stored submission. */
async function uploadThrough(process: AppProcess, picture: Buffer, caption: string) {
  const res = await new Browser(proxy.url).upload(
    `${process.url}/events/${pastEventId}/upload`,
    `${process.url}/events/${pastEventId}/submissions`,
    { kind: 'photo', consent: 'on', caption },
    picture,
  );
  expect(res.status).toBe(201);
  return database.db('submissions').where({ caption }).first();
}

async function moderate(browser: Browser, process: AppProcess, id: number, action: string, fields: Record<string, string> = {}) {
  const res = await browser.submit(`${process.url}/organise/events/${pastEventId}/moderation`, `${process.url}/organise/submissions/${id}/${action}`, fields);
  expect(res.status).toBe(303);
}

async function fileFrom(process: AppProcess, address: string, browser?: Browser): Promise<{ status: number; body: Buffer }> {
  const res = browser ? await browser.fetch(`${process.url}${address}`) : await fetch(`${process.url}${address}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

test('both processes say where files go and that the pools fit the database', () => {
  for (const p of [a, b]) {
    expect(p.output.join('\n')).toContain(`"storage":"bucket picket-test at ${s3.endpoint}"`);
    expect(p.output.join('\n')).not.toContain('max_connections');
  }
});

test('a photo uploaded through A and approved through B is served by A and by B', async () => {
  const photo = await uploadThrough(a, await detailedPicture(), 'Banner at the gate');
  expect((await bucket.list(`media/${photo.storage_key}/`)).length).toBe(2); // display and thumb, in the bucket
  // Pending: neither process shows it to the public.
  for (const p of [a, b]) expect((await fileFrom(p, `/media/${photo.storage_key}/display`)).status).toBe(404);

  await moderate(await organiserOn(b), b, photo.id, 'approve');
  const fromA = await fileFrom(a, `/media/${photo.storage_key}/display`);
  const fromB = await fileFrom(b, `/media/${photo.storage_key}/display`);
  expect([fromA.status, fromB.status]).toEqual([200, 200]);
  expect(fromA.body).toEqual(fromB.body);
  expect(fromA.body).toEqual(await bucket.get(`media/${photo.storage_key}/display.jpg`));
  const page = await (await fetch(`${a.url}/events/${pastEventId}`)).text();
  expect(page).toContain(`/media/${photo.storage_key}/thumb`);
});

test('a photo blurred through A shows no unblurred pixels from either process', async () => {
  const photo = await uploadThrough(b, await detailedPicture(), 'Faces in the crowd');
  const region = { x: 0.1, y: 0.2, w: 0.4, h: 0.5 };
  const inside = { x: region.x + 0.03, y: region.y + 0.03, w: region.w - 0.06, h: region.h - 0.06 };
  const organiser = await organiserOn(a);
  // The organiser previews the original through both processes first (anything kept in memory would show later).
  for (const p of [a, b]) {
    const preview = await fileFrom(p, `/organise/media/${photo.storage_key}/display`, organiser);
    expect(preview.status).toBe(200);
    expect(await detailIn(preview.body, inside)).toBeGreaterThan(60);
  }

  await moderate(organiser, a, photo.id, 'mask', { regions: JSON.stringify([region]) });
  await moderate(organiser, b, photo.id, 'approve');
  const blurred = await database.db('submissions').where({ id: photo.id }).first();
  expect(blurred.storage_key).not.toBe(photo.storage_key);

  for (const p of [a, b]) {
    for (const size of ['display', 'thumb']) {
      const served = await fileFrom(p, `/media/${blurred.storage_key}/${size}`);
      expect(served.status).toBe(200);
      expect(await detailIn(served.body, inside)).toBeLessThan(25);
      expect(await detailIn(served.body, { x: 0.65, y: 0.65, w: 0.3, h: 0.3 })).toBeGreaterThan(40);
      // Pixel by pixel: the region is a solid mask (black), with nothing of the original's pattern left.
      const { data } = await sharp(served.body).extract(await pixelsOf(served.body, inside)).greyscale().raw().toBuffer({ resolveWithObject: true });
      expect(data.every((v) => v < 16)).toBe(true);
    }
    expect((await fileFrom(p, `/media/${photo.storage_key}/display`)).status).toBe(404);
    expect((await fileFrom(p, `/organise/media/${photo.storage_key}/display`, organiser)).status).toBe(404);
  }
  expect(await bucket.list(`media/${photo.storage_key}/`)).toEqual([]);
});

async function pixelsOf(image: Buffer, r: { x: number; y: number; w: number; h: number }) {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  return { left: Math.floor(r.x * width), top: Math.floor(r.y * height), width: Math.floor(r.w * width), height: Math.floor(r.h * height) };
}

test('a photo rejected through B is gone from the bucket and from both processes', async () => {
  const photo = await uploadThrough(a, await detailedPicture(), 'Shows a face');
  expect(await bucket.list(`media/${photo.storage_key}/`)).not.toEqual([]);
  const organiser = await organiserOn(a);
  await moderate(organiser, b, photo.id, 'reject', { reason: 'A face is visible' });
  expect(await bucket.list(`media/${photo.storage_key}/`)).toEqual([]);
  for (const p of [a, b]) expect((await fileFrom(p, `/organise/media/${photo.storage_key}/display`, organiser)).status).toBe(404);
});

test('each confirmation e-mail is sent exactly once although both processes run the worker', async () => {
  const event = await buildEvent(database.db, owner, { title: 'Picket next week' });
  const people = Array.from({ length: 8 }, (_, i) => `person${i}@picket.test`);
  const before = proxy.served.length;
  for (const [i, email] of people.entries()) {
    // The form comes from either process (one session secret); every RSVP goes through the proxy.
    const form = `${[a, b][i % 2].url}/events/${event.id}`;
    const res = await new Browser(proxy.url).submit(form, `${proxy.url}/events/${event.id}/rsvp`, { name: `Person ${i}`, email, role: 'attendee' });
    expect(res.status).toBe(303);
  }
  // The RSVPs really were spread over both processes.
  expect(proxy.served.slice(before).sort()).toEqual([...Array(4).fill('A'), ...Array(4).fill('B')]);

  for (const email of people) await smtp.waitFor((m) => recipients(m).includes(email), 30_000);
  // Wait until no job is left queued or running anywhere, then count.
  for (let i = 0; i < 120; i++) {
    const { rows } = await database.db.raw('select count(*)::int as n from graphile_worker.jobs');
    if (rows[0].n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (const email of people) expect(smtp.to(email).length).toBe(1);
});

test('an organiser’s edit through A shows at once on B’s public page', async () => {
  const event = await buildEvent(database.db, owner, { title: 'Vigil at the embassy', description: 'Bring candles.' });
  const publicPage = async (p: AppProcess) => (await new Browser(proxy.url).open(`${p.url}/events/${event.id}`)).text();
  // Both processes have shown (and may keep) the page as it was.
  for (const p of [a, b]) expect(await publicPage(p)).toContain('Bring candles.');

  const organiser = await organiserOn(a);
  const res = await organiser.submit(`${a.url}/organise/events/${event.id}/edit`, `${a.url}/organise/events/${event.id}`, {
    kind: 'picket', title: 'Vigil at the embassy', description: 'Bring candles and the prisoners’ photos.',
    address: '6 Kensington Court', city: 'London', country: 'GB', latitude: '51.5009', longitude: '-0.1887',
    timezone: 'Europe/London', starts_local: '2031-06-01T12:00', ends_local: '2031-06-01T14:00', contact_text: '',
  });
  expect(res.status).toBe(303);
  const onB = await publicPage(b);
  expect(onB).toContain('Bring candles and the prisoners’ photos.');
  expect(onB).not.toContain('<p>Bring candles.</p>');
});

test('30 RSVPs from one address, spread over both processes, meet one shared limit', async () => {
  proxy.clientAddress = '198.51.100.23'; // someone new, with none of the RSVPs above
  const event = await buildEvent(database.db, owner, { title: 'Day of action picket' });
  const before = proxy.served.length;
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) {
    const form = `${[a, b][i % 2].url}/events/${event.id}`;
    const res = await new Browser(proxy.url).submit(form, `${proxy.url}/events/${event.id}/rsvp`, { name: `Flooder ${i}`, email: `flood${i}@picket.test`, role: 'attendee' });
    statuses.push(res.status);
  }
  expect(proxy.served.slice(before).filter((n) => n === 'A').length).toBe(15);
  // RSVP_RATE_LIMIT (20 per address per 10 minutes) counted once for the instance, not once per process.
  expect(statuses.slice(0, 20).every((s) => s === 303)).toBe(true);
  expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
  const { n } = (await database.db('rsvps').where({ event_id: event.id }).count({ n: '*' }).first())!;
  expect(Number(n)).toBe(20);
});
