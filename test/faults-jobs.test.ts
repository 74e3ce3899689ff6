// The app is killed (kill -9) while it sends confirmations, or in the middle of a picket's
// confirmation batch; after a restart every activist still gets their confirmation, once.
// Heartbeat and schedule are seconds here (settings), so nothing waits on real minutes.
import request from 'supertest';
import type { Knex } from 'knex';
import { createHarness, Harness, submitForm } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { recipients } from './support/smtp';
import { AppProcess, startAppProcess, waitUntil } from './support/app-process';

let h: Harness;
let owner: { id: number };
const running: AppProcess[] = [];

beforeAll(async () => {
  h = await createHarness({ env: { RSVP_RATE_LIMIT: '10000' } });
  owner = await buildUser(h.database.db);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.crash()));
});
afterAll(async () => {
  await h.close();
});

async function start(env: Record<string, string> = {}): Promise<AppProcess> {
  const app = await startAppProcess({
    DATABASE_URL: h.database.url,
    SMTP_URL: h.smtp.url,
    DATA_DIR: h.dataDir,
    JOB_HEARTBEAT_SECONDS: '1',
    JOB_WORKER_TIMEOUT_SECONDS: '3',
    JOB_SCHEDULE_SECONDS: '2',
    ...env,
  });
  running.push(app);
  return app;
}

/** An activist RSVPs through the RSVP form (the test's own app: it runs no worker). */
async function rsvp(eventId: number, email: string) {
  const res = await submitForm(request.agent(h.app), '/login', `/events/${eventId}/rsvp`, { name: email.split('@')[0], email, role: 'attendee' });
  expect(res.status).toBe(303);
}

const count = async (db: Knex, sql: string, bindings: Knex.RawBinding[] = []) =>
  Number((await db.raw<{ rows: { n: string }[] }>(`select count(*) as n from (${sql}) s`, bindings)).rows[0].n);

const confirmationsTo = (email: string) =>
  h.smtp.messages.filter((m) => recipients(m).includes(email) && /going/i.test(m.subject ?? ''));

/** Waits until each address has its confirmation and no mail job is left, then gives the count per address. */
async function confirmedOnce(emails: string[]) {
  await waitUntil(() => emails.every((e) => confirmationsTo(e).length > 0), 'every confirmation arrived', 60_000, 200);
  await waitUntil(async () => (await count(h.database.db, "select 1 from graphile_worker.jobs where task_identifier = 'rsvp_mail'")) === 0, 'the mail queue is empty', 60_000, 200);
  return emails.map((e) => confirmationsTo(e).length);
}

test('the app is killed while sending confirmations: after a restart each arrives once, within a minute', async () => {
  const event = await buildEvent(h.database.db, owner, { title: 'Crash-proof picket' });
  const emails = Array.from({ length: 6 }, (_, i) => `crash-${i}@picket.test`);
  h.smtp.hold(); // the mail server takes the messages but has not answered yet
  for (const email of emails) await rsvp(event.id, email);

  const first = await start();
  // Four workers are each in the middle of sending one confirmation.
  await waitUntil(() => h.smtp.held() === 4, 'four confirmations are being sent');
  const locked = "select 1 from graphile_worker.jobs where task_identifier = 'rsvp_mail' and locked_at is not null";
  expect(await count(h.database.db, locked)).toBe(4);
  await first.crash();
  await waitUntil(() => h.smtp.held() === 0, 'the mail server saw the connections drop');
  h.smtp.release();
  expect(h.smtp.messages).toHaveLength(0); // nothing was delivered
  expect(await count(h.database.db, locked)).toBe(4); // still locked by the dead process

  await start();
  expect(await confirmedOnce(emails)).toEqual(emails.map(() => 1));
  expect(await count(h.database.db, 'select 1 from job_workers')).toBeGreaterThan(0); // the new workers' heartbeats
}, 180_000);

test('a crash inside a picket’s confirmation batch: the earlier and the later RSVPs are all confirmed, once', async () => {
  const event = await buildEvent(h.database.db, owner, { title: 'Batch picket' });
  const before = ['batch-a@picket.test', 'batch-b@picket.test', 'batch-c@picket.test'];
  for (const email of before) await rsvp(event.id, email);

  // Hold the picket's row, so that the batch job, once started, waits inside its transaction.
  const holder = await h.database.db.transaction();
  await holder.raw('select id from events where id = ? for update', [event.id]);
  // A long worker timeout: here only the confirmation sweep can rescue the batch.
  const settings = { JOB_WORKER_TIMEOUT_SECONDS: '3600' };
  const first = await start(settings);
  await waitUntil(
    async () => (await count(h.database.db, "select 1 from graphile_worker.jobs where task_identifier = 'rsvp_confirmations' and locked_at is not null")) === 1,
    'the batch job is running',
  );
  await first.crash();
  await holder.rollback();
  expect(await count(h.database.db, 'select 1 from rsvp_confirmation_batches where event_id = ?', [event.id])).toBe(1);

  await start(settings);
  const after = ['batch-d@picket.test', 'batch-e@picket.test'];
  for (const email of after) await rsvp(event.id, email);
  expect(await confirmedOnce([...before, ...after])).toEqual([1, 1, 1, 1, 1]);
  expect(await count(h.database.db, 'select 1 from rsvps where confirmation_pending')).toBe(0);
}, 180_000);
