// The database goes away (it refuses connections and every session is cut, as in a restart) while
// the app runs, across several scheduled runs; the app stays up, tells visitors it will be back
// soon, and serves again by itself when the database returns: pages, the worker and the schedule.
import request from 'supertest';
import { Client } from 'pg';
import { createHarness, Harness, submitForm } from './support/harness';
import { buildEvent, buildRsvp, buildUser } from './support/factories';
import { recipients } from './support/smtp';
import { adminUrl } from './support/server-url';
import { AppProcess, startAppProcess, waitUntil } from './support/app-process';

let h: Harness;
let app: AppProcess;
let admin: Client;

beforeAll(async () => {
  h = await createHarness({ env: { RSVP_RATE_LIMIT: '10000' } });
  admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
});
afterAll(async () => {
  await admin.query(`alter database "${h.database.name}" allow_connections true`).catch(() => undefined);
  await admin.end();
  await app?.crash();
  await h.close();
});

const goingMail = (email: string) => h.smtp.messages.filter((m) => recipients(m).includes(email) && /going/i.test(m.subject ?? ''));
const reminderMail = (email: string) => h.smtp.messages.filter((m) => recipients(m).includes(email) && /reminder|starts/i.test(m.subject ?? ''));

async function rsvp(eventId: number, email: string) {
  const res = await submitForm(request.agent(h.app), '/login', `/events/${eventId}/rsvp`, { name: 'Ira', email, role: 'attendee' });
  expect(res.status).toBe(303);
}

test('the database restarts while the app runs: "back soon" pages meanwhile, then everything works again without a restart', async () => {
  const owner = await buildUser(h.database.db);
  const picket = await buildEvent(h.database.db, owner, { title: 'Picket that outlives outages' });
  app = await startAppProcess({
    DATABASE_URL: h.database.url,
    SMTP_URL: h.smtp.url,
    DATA_DIR: h.dataDir,
    JOB_HEARTBEAT_SECONDS: '1',
    JOB_SCHEDULE_SECONDS: '1',
    REMINDER_HOURS: '1',
  });
  await rsvp(picket.id, 'before@picket.test');
  await waitUntil(() => goingMail('before@picket.test').length === 1, 'the first confirmation arrived');
  const { token } = await h.database.db('rsvps').where({ email: 'before@picket.test' }).first();
  expect((await fetch(`${app.url}/rsvp/${token}`)).status).toBe(200);

  // Four confirmations are being sent (the mail server has not answered yet) when the database goes.
  h.smtp.hold();
  const inFlight = [1, 2, 3, 4].map((i) => `in-flight-${i}@picket.test`);
  for (const email of inFlight) await rsvp(picket.id, email);
  await waitUntil(() => h.smtp.held() === 4, 'all four workers are sending');

  // A picket whose one-hour reminder falls due while the database is away.
  const soon = await buildEvent(h.database.db, owner, { title: 'Picket in an hour', starts_at: new Date(Date.now() + 3600_000 + 2000), ends_at: new Date(Date.now() + 7200_000) });
  await buildRsvp(h.database.db, soon, { email: 'reminded@picket.test' });

  await admin.query(`alter database "${h.database.name}" allow_connections false`);
  await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [h.database.name]);
  const outputBefore = app.output().length;
  // The mail server answers: the workers cannot record the jobs as done, and graphile-worker retires them.
  h.smtp.release();

  const page = await fetch(`${app.url}/rsvp/${token}`, { headers: { 'Accept-Language': 'en' } });
  expect(page.status).toBe(503);
  expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await page.text()).toContain('Picket will be back soon');
  const titles = { fr: 'Picket revient très vite', de: 'Picket ist gleich wieder da', ru: 'Picket скоро вернётся' };
  for (const [lang, title] of Object.entries(titles)) {
    const res = await fetch(`${app.url}/rsvp/${token}`, { headers: { 'Accept-Language': lang } });
    expect([res.status, (await res.text()).includes(title)]).toEqual([503, true]);
  }
  const api = await fetch(`${app.url}/api/events?campaign=no-such-campaign-${Date.now()}`);
  expect(api.status).toBe(503);
  expect(api.headers.get('retry-after')).toBeTruthy();
  expect(await api.json()).toMatchObject({ status: 503, error: 'Picket will be back soon' });
  const health = await fetch(`${app.url}/healthz`);
  expect([health.status, await health.json()]).toEqual([503, { status: 'unavailable', database: 'unreachable' }]);

  // The worker's heartbeat and the schedule both came round (and failed) while the database was away.
  await waitUntil(() => {
    const during = app.output().slice(outputBefore);
    return during.includes('job heartbeat failed') && during.includes('scheduling recurring jobs failed');
  }, 'scheduled runs happened during the outage');
  await waitUntil(() => Date.now() > soon.starts_at.getTime() - 3600_000 + 500, 'the reminder is due');
  expect(app.alive()).toBe(true);

  await admin.query(`alter database "${h.database.name}" allow_connections true`);
  await waitUntil(async () => (await fetch(`${app.url}/healthz`)).status === 200, 'the app sees the database again');
  expect((await fetch(`${app.url}/rsvp/${token}`)).status).toBe(200);
  // The schedule resumed: the reminder that fell due during the outage is sent.
  await waitUntil(() => reminderMail('reminded@picket.test').length === 1, 'the reminder arrived');
  // The retired workers are replaced and a new RSVP is confirmed. The four messages sent as the
  // database went away may arrive twice (sent, but not recorded as sent): at least once each.
  await waitUntil(() => app.output().slice(outputBefore).includes('job workers were lost; starting new ones'), 'the retired workers were replaced');
  await waitUntil(() => inFlight.every((e) => goingMail(e).length >= 1), 'the in-flight confirmations arrived');
  await rsvp(picket.id, 'after@picket.test');
  await waitUntil(() => goingMail('after@picket.test').length === 1, 'the new confirmation arrived');

  expect(app.alive()).toBe(true);
  expect(app.output()).not.toMatch(/unhandled|uncaught/i);
}, 180_000);

test('started while the database refuses connections, the app waits for it and starts by itself when it returns', async () => {
  await app?.crash();
  await admin.query(`alter database "${h.database.name}" allow_connections false`);
  let said = '';
  const starting = startAppProcess({ DATABASE_URL: h.database.url, SMTP_URL: h.smtp.url, DATA_DIR: h.dataDir }, { onOutput: (text) => (said += text) });
  starting.catch(() => undefined);
  await waitUntil(() => said.includes('database not reachable; waiting for it'), 'the app says it waits for the database');
  expect(said).not.toContain(h.database.url);
  await admin.query(`alter database "${h.database.name}" allow_connections true`);
  app = await starting;
  expect(app.alive()).toBe(true);
  const page = await fetch(`${app.url}/`, { headers: { 'Accept-Language': 'en' } });
  expect(page.status).toBe(200);
  expect(app.output()).not.toMatch(/"level":(50|60)/);
});
