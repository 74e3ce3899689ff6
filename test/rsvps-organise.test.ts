import request from 'supertest';
import { parse as parseCsv } from 'csv-parse/sync';
import { createHarness, Harness, logIn, submitForm, linkIn } from './support/harness';
import { buildEvent, buildRsvp, buildUser } from './support/factories';
import type { EventRow } from '../src/db/tables';
import { eventChanged } from '../src/services/event-changes';
import { cancelEvent } from '../src/services/events';
import { eraseExpiredRsvps } from '../src/services/rsvp-jobs';
import { runDueJobs } from '../src/jobs';
import { recipients } from './support/smtp';

let h: Harness;
let owner: Awaited<ReturnType<typeof buildUser>>;
let other: Awaited<ReturnType<typeof buildUser>>;
let admin: Awaited<ReturnType<typeof buildUser>>;
beforeAll(async () => {
  h = await createHarness();
  owner = await buildUser(h.database.db, { name: 'Olga Owner' });
  other = await buildUser(h.database.db, { name: 'Oscar Other' });
  admin = await buildUser(h.database.db, { role: 'admin' });
});
afterAll(async () => {
  await h.close();
});

async function agentFor(user: { email: string; password: string }) {
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return agent;
}

async function eventWithRsvps() {
  const event = await buildEvent(h.database.db, owner, { title: 'Embassy picket', capacity: 2 });
  await buildRsvp(h.database.db, event, { name: 'Alice', email: 'alice@picket.test', role: 'steward', note: '=1+1 banners' });
  await buildRsvp(h.database.db, event, { name: 'Bob', email: 'bob@picket.test', role: 'speaker' });
  await buildRsvp(h.database.db, event, { name: 'Carol', email: 'carol@picket.test', status: 'waitlisted' });
  await buildRsvp(h.database.db, event, { name: 'Dan', email: 'dan@picket.test', status: 'cancelled' });
  return event;
}

describe('an organiser and the RSVPs of their picket', () => {
  test('sees the list with counts by status and role', async () => {
    const event = await eventWithRsvps();
    const agent = await agentFor(owner);
    const page = await agent.get(`/organise/events/${event.id}/rsvps`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-status="going">Going: <strong>2</);
    expect(page.text).toMatch(/data-status="waitlisted">Waitlisted: <strong>1</);
    expect(page.text).toMatch(/data-status="cancelled">Cancelled: <strong>1</);
    expect(page.text).toMatch(/data-role="steward">Stewards: <strong>1</);
    expect(page.text).toMatch(/data-role="speaker">Speakers: <strong>1</);
    expect(page.text).toContain('alice@picket.test');
    expect(page.text).toContain('=1+1 banners');
  });

  test('exports them as CSV, safe to open in a spreadsheet', async () => {
    const event = await eventWithRsvps();
    const agent = await agentFor(owner);
    const res = await agent.get(`/organise/events/${event.id}/rsvps.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('attachment');
    const rows = parseCsv(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.name)).toEqual(['Alice', 'Bob', 'Carol', 'Dan']);
    expect(rows[0]).toMatchObject({ email: 'alice@picket.test', role: 'steward', status: 'going', note: "'=1+1 banners" });
    expect(rows[0].rsvp_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  test('messages everyone going: queued by e-mail, with a copy in the history', async () => {
    const event = await eventWithRsvps();
    const agent = await agentFor(owner);
    const empty = await submitForm(agent, `/organise/events/${event.id}/rsvps`, `/organise/events/${event.id}/messages`, { subject: '', body: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('This field is required');
    const sent = await submitForm(agent, `/organise/events/${event.id}/rsvps`, `/organise/events/${event.id}/messages`, {
      subject: 'Bring warm clothes', body: 'It will be cold. Meet 10 minutes early.',
    });
    expect(sent.status).toBe(303);
    const page = await agent.get(sent.headers.location);
    expect(page.text).toContain('Your message is on its way to 2 people');
    expect(page.text).toContain('Bring warm clothes');
    await h.runJobs();
    const alice = await h.smtp.waitFor((m) => recipients(m).includes('alice@picket.test') && m.subject!.startsWith('Bring warm clothes'));
    expect(alice.text).toContain('It will be cold. Meet 10 minutes early.');
    expect(alice.text).toContain('Hello Alice,');
    await h.smtp.waitFor((m) => recipients(m).includes('bob@picket.test') && m.subject!.startsWith('Bring warm clothes'));
    expect(h.smtp.to('carol@picket.test').filter((m) => m.subject!.startsWith('Bring'))).toHaveLength(0);
    expect(h.smtp.to('dan@picket.test')).toHaveLength(0);
    const history = await h.database.db('event_messages').where({ event_id: event.id });
    expect(history).toMatchObject([{ kind: 'message', subject: 'Bring warm clothes', recipients: 2, author_id: owner.id }]);
  });
});

describe('access to RSVPs', () => {
  test('another organiser gets 403, a visitor is sent to log in, an admin sees all', async () => {
    const event = await eventWithRsvps();
    const stranger = await agentFor(other);
    for (const path of [`/organise/events/${event.id}/rsvps`, `/organise/events/${event.id}/rsvps.csv`]) {
      const res = await stranger.get(path);
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('alice@picket.test');
    }
    const post = await submitForm(stranger, '/organise', `/organise/events/${event.id}/messages`, { subject: 'Hi', body: 'spam' });
    expect(post.status).toBe(403);
    expect(await h.database.db('event_messages').where({ event_id: event.id })).toHaveLength(0);

    const visitor = await request(h.app).get(`/organise/events/${event.id}/rsvps`);
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/login/);
    expect((await request(h.app).get(`/organise/events/${event.id}/rsvps.csv`)).status).toBe(303);

    const adminAgent = await agentFor(admin);
    expect((await adminAgent.get(`/organise/events/${event.id}/rsvps`)).status).toBe(200);
    expect((await adminAgent.get('/organise/events/999999/rsvps')).status).toBe(404);
  });
});

describe('change and cancellation notices', () => {
  const change = async (before: EventRow, changes: Partial<EventRow>) => {
    const [after] = await h.database.db('events').where({ id: before.id }).update(changes).returning('*');
    await h.database.db.transaction((trx) => eventChanged(trx, h.deps, before, after));
    return after as EventRow;
  };

  test('attendees going or waiting hear when the time or place changes; nothing for other edits', async () => {
    const event = await eventWithRsvps();
    h.smtp.clear();
    const moved = await change(event, {
      starts_at: new Date(event.starts_at.getTime() + 3600_000), ends_at: new Date(event.ends_at.getTime() + 3600_000), address: '1 New Street',
    });
    await h.runJobs();
    const alice = await h.smtp.waitFor((m) => recipients(m).includes('alice@picket.test'));
    expect(alice.subject).toBe('Changed: Embassy picket');
    expect(alice.text).toContain('changed the time / place');
    expect(alice.text).toContain('1 New Street');
    expect(alice.text).toContain('It was planned for');
    await h.smtp.waitFor((m) => recipients(m).includes('carol@picket.test'));
    expect(h.smtp.to('dan@picket.test')).toHaveLength(0);
    expect(h.smtp.messages).toHaveLength(3);

    h.smtp.clear();
    await change(moved, { description: 'Bring more banners' });
    await h.runJobs();
    expect(h.smtp.messages).toHaveLength(0);
    const history = await h.database.db('event_messages').where({ event_id: event.id });
    expect(history).toMatchObject([{ kind: 'change', body: 'time,place', recipients: 3 }]);
  });

  test('cancelling the picket tells everyone who was coming', async () => {
    const event = await eventWithRsvps();
    h.smtp.clear();
    await cancelEvent(h.deps, owner, event.id);
    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes('bob@picket.test'));
    expect(mail.subject).toBe('Cancelled: Embassy picket');
    expect(mail.text).toContain('Please do not go');
    expect(h.smtp.messages.map((m) => recipients(m)[0]).sort()).toEqual(['alice@picket.test', 'bob@picket.test', 'carol@picket.test']);
    const page = await (await agentFor(owner)).get(`/organise/events/${event.id}/rsvps`);
    expect(page.text).toContain('Cancellation notice');
  });
});

describe('retention', () => {
  test('personal data of RSVPs is erased after the retention period; counts stay and the link says so', async () => {
    const now = new Date();
    const old = await buildEvent(h.database.db, owner, { starts_at: new Date(now.getTime() - 32 * 86400_000), ends_at: new Date(now.getTime() - 31 * 86400_000) });
    const recent = await buildEvent(h.database.db, owner, { starts_at: new Date(now.getTime() - 3 * 86400_000), ends_at: new Date(now.getTime() - 2 * 86400_000) });
    const gone = await buildRsvp(h.database.db, old, { name: 'Old', email: 'old@picket.test', note: 'old note', role: 'steward' });
    await buildRsvp(h.database.db, old, { name: 'Old 2', email: 'old2@picket.test', status: 'cancelled' });
    await buildRsvp(h.database.db, recent, { name: 'Recent', email: 'recent@picket.test' });

    expect(await eraseExpiredRsvps(h.deps, now)).toBe(2);
    expect(await eraseExpiredRsvps(h.deps, now)).toBe(0);
    const rows = await h.database.db('rsvps').where({ event_id: old.id }).orderBy('id');
    for (const row of rows) expect(row).toMatchObject({ name: null, email: null, note: '' });
    expect(rows[0]).toMatchObject({ status: 'going', role: 'steward' });
    expect(await h.database.db('rsvps').where({ event_id: recent.id }).first()).toMatchObject({ name: 'Recent', email: 'recent@picket.test' });

    const page = await (await agentFor(owner)).get(`/organise/events/${old.id}/rsvps`);
    expect(page.text).toMatch(/data-status="going">Going: <strong>1</);
    expect(page.text).not.toContain('old@picket.test');
    const link = await request(h.app).get(`/rsvp/${gone.token}`);
    expect(link.status).toBe(410);
    expect(link.text).toContain('This RSVP no longer exists');
  });

  test('the daily job erases with the configured period', async () => {
    const now = new Date();
    const event = await buildEvent(h.database.db, owner, { starts_at: new Date(now.getTime() - 6 * 86400_000), ends_at: new Date(now.getTime() - 5 * 86400_000) });
    await buildRsvp(h.database.db, event, { email: 'five-days@picket.test' });
    await h.database.db.raw("select graphile_worker.add_job('rsvp_retention', '{}'::json)");
    await h.runJobs();
    expect((await h.database.db('rsvps').where({ event_id: event.id }).first()).email).toBe('five-days@picket.test');
    await h.database.db.raw("select graphile_worker.add_job('rsvp_retention', '{}'::json)");
    await runDueJobs({ ...h.jobDeps, config: { ...h.config, RSVP_RETENTION_DAYS: 3 } });
    expect((await h.database.db('rsvps').where({ event_id: event.id }).first()).email).toBeNull();
  });
});
