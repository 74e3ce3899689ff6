// The RSVP rules as people meet them: the waitlist moves up when places appear, in the order
// people joined it; a started picket's RSVPs stay as they are; a cancelled picket stays cancelled.
import request from 'supertest';
import { fixedClock } from '../src/lib/clock';
import { instantToLocalInput } from '../src/lib/time';
import { buildEvent, buildUser } from './support/factories';
import { createHarness, csrfFrom, Harness, linkIn, logIn, submitForm } from './support/harness';
import { recipients } from './support/smtp';

const clock = fixedClock('2031-03-01T09:00:00Z');
let h: Harness;
let owner: Awaited<ReturnType<typeof buildUser>>;
let organiser: ReturnType<typeof request.agent>;
beforeAll(async () => {
  h = await createHarness({ clock, env: { RSVP_RATE_LIMIT: '10000' } });
  owner = await buildUser(h.database.db);
  organiser = request.agent(h.app);
  await logIn(organiser, owner.email, owner.password);
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  clock.set('2031-03-01T09:00:00Z');
});

const db = () => h.database.db;
const FRIDAY = new Date('2031-03-14T18:00:00Z'); // Friday 14 March 2031, 18:00 in London

function rsvp(eventId: number, fields: Record<string, string>) {
  return submitForm(request.agent(h.app), '/login', `/events/${eventId}/rsvp`, fields);
}

async function statusOf(email: string) {
  return (await db()('rsvps').where({ email }).first()).status as string;
}

/** The edit form of `event`, as its organiser would send it with `changes`. */
async function saveEvent(event: { id: number }, changes: Record<string, string>) {
  const row = await db()('events').where({ id: event.id }).first();
  const page = await organiser.get(`/organise/events/${event.id}/edit`);
  return organiser.post(`/organise/events/${event.id}`).type('form').send({
    _csrf: csrfFrom(page.text), kind: row.kind, title: row.title, address: row.address, city: row.city, country: row.country,
    latitude: String(row.latitude), longitude: String(row.longitude), timezone: row.timezone,
    starts_local: instantToLocalInput(row.starts_at, row.timezone), ends_local: instantToLocalInput(row.ends_at, row.timezone),
    capacity: row.capacity === null ? '' : String(row.capacity), ...(row.waitlist_enabled ? { waitlist_enabled: 'on' } : {}),
    ...changes,
  });
}

const promotedMailTo = (email: string) =>
  h.smtp.to(email).filter((m) => m.subject?.startsWith('A place freed up'));

describe('the waitlist', () => {
  test('raising the capacity gives places to the first on the waitlist, in order, and e-mails them', async () => {
    const event = await buildEvent(db(), owner, { title: 'Vigil for Maria', capacity: 1, starts_at: FRIDAY });
    for (const who of ['ana', 'boris', 'chen', 'dana']) await rsvp(event.id, { name: who, email: `${who}@raise.test` });
    expect(await statusOf('ana@raise.test')).toBe('going');
    expect(await statusOf('dana@raise.test')).toBe('waitlisted');

    const saved = await saveEvent(event, { capacity: '3' });
    expect(saved.status).toBe(303);
    expect(await statusOf('boris@raise.test')).toBe('going');
    expect(await statusOf('chen@raise.test')).toBe('going');
    expect(await statusOf('dana@raise.test')).toBe('waitlisted');

    await h.runJobs();
    await h.smtp.waitFor((m) => recipients(m).includes('chen@raise.test') && m.subject!.startsWith('A place freed up'));
    expect(promotedMailTo('boris@raise.test')).toHaveLength(1);
    expect(promotedMailTo('boris@raise.test')[0].subject).toBe('A place freed up: you are going to Vigil for Maria');
    expect(promotedMailTo('dana@raise.test')).toHaveLength(0);
    const page = await request(h.app).get(`/events/${event.id}/rsvp`);
    expect(page.text).toContain('3 people going');
    expect(page.text).toContain('1 on the waitlist');
  });

  test('lowering the capacity below the people going is refused with a message, and nothing changes', async () => {
    const event = await buildEvent(db(), owner, { capacity: 5, starts_at: FRIDAY });
    for (const who of ['eva', 'fred', 'gia']) await rsvp(event.id, { name: who, email: `${who}@lower.test` });
    const refused = await saveEvent(event, { capacity: '2', title: 'Renamed picket' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('More people are already going than this');
    expect(refused.text).toContain('value="2"'); // the form keeps what was typed
    const row = await db()('events').where({ id: event.id }).first();
    expect(row).toMatchObject({ capacity: 5, title: 'Picket at the embassy' });
    expect(await statusOf('gia@lower.test')).toBe('going');
    // Exactly the number going is fine.
    expect((await saveEvent(event, { capacity: '3' })).status).toBe(303);
  });

  test('a freed place goes to whoever joined the waitlist first, even when their server’s clock ran ahead', async () => {
    const event = await buildEvent(db(), owner, { capacity: 1, starts_at: FRIDAY });
    await rsvp(event.id, { name: 'Hana', email: 'hana@order.test' });
    // Ivan's RSVP is committed first; Jan's arrives later through a server whose clock lags behind.
    clock.set('2031-03-01T09:00:10Z');
    await rsvp(event.id, { name: 'Ivan', email: 'ivan@order.test' });
    clock.set('2031-03-01T09:00:05Z');
    await rsvp(event.id, { name: 'Jan', email: 'jan@order.test' });
    expect(await statusOf('ivan@order.test')).toBe('waitlisted');
    expect(await statusOf('jan@order.test')).toBe('waitlisted');

    await h.runJobs();
    const hana = await h.smtp.waitFor((m) => recipients(m).includes('hana@order.test'));
    const cancelled = await submitForm(request.agent(h.app), linkIn(hana.text!, '/rsvp/'), `${linkIn(hana.text!, '/rsvp/')}/cancel`, {});
    expect(cancelled.status).toBe(303);
    expect(await statusOf('ivan@order.test')).toBe('going');
    expect(await statusOf('jan@order.test')).toBe('waitlisted');
    await h.runJobs();
    await h.smtp.waitFor((m) => recipients(m).includes('ivan@order.test') && m.subject!.startsWith('A place freed up'));
    expect(promotedMailTo('jan@order.test')).toHaveLength(0);
  });
});

describe('after the picket has started', () => {
  test('the manage link shows the RSVP but the server refuses to change or cancel it', async () => {
    const event = await buildEvent(db(), owner, { capacity: 1, starts_at: FRIDAY });
    await rsvp(event.id, { name: 'Kira', email: 'kira@started.test', note: 'banner' });
    await rsvp(event.id, { name: 'Lev', email: 'lev@started.test' });
    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes('kira@started.test'));
    const manage = linkIn(mail.text!, '/rsvp/');
    const agent = request.agent(h.app);
    const before = await agent.get(manage);
    const csrf = csrfFrom(before.text);

    clock.set('2031-03-14T18:30:00Z');
    const page = await agent.get(manage);
    expect(page.text).toContain('This picket has started: your RSVP can no longer be changed or cancelled.');
    expect(page.text).not.toContain(`action="${manage}/cancel"`);

    // A form kept open from before the start is refused by the server, not only hidden.
    const edit = await agent.post(manage).type('form').send({ _csrf: csrf, name: 'Someone else', role: 'speaker', note: '' });
    expect(edit.status).toBe(409);
    expect(edit.text).toContain('can no longer be changed or cancelled');
    const cancel = await agent.post(`${manage}/cancel`).type('form').send({ _csrf: csrf });
    expect(cancel.status).toBe(409);
    const row = await db()('rsvps').where({ email: 'kira@started.test' }).first();
    expect(row).toMatchObject({ name: 'Kira', role: 'attendee', note: 'banner', status: 'going' });
    // Nobody is promoted into a picket that is under way.
    expect(await statusOf('lev@started.test')).toBe('waitlisted');
  });
});

describe('a cancelled picket', () => {
  test('cannot be published again: the organiser is told to duplicate it, attendees hear nothing more', async () => {
    const event = await buildEvent(db(), owner, { title: 'Picket in Riga', starts_at: FRIDAY });
    await rsvp(event.id, { name: 'Mara', email: 'mara@republish.test' });
    const manage = await organiser.get(`/organise/events/${event.id}`);
    expect((await organiser.post(`/organise/events/${event.id}/cancel`).type('form').send({ _csrf: csrfFrom(manage.text) })).status).toBe(303);
    await h.runJobs();
    await h.smtp.waitFor((m) => recipients(m).includes('mara@republish.test') && m.subject === 'Cancelled: Picket in Riga');
    const mailsBefore = h.smtp.to('mara@republish.test').length;

    const page = await organiser.get(`/organise/events/${event.id}`);
    expect(page.text).not.toContain(`action="/organise/events/${event.id}/publish"`);
    expect(page.text).toContain('duplicate it and publish the copy');
    const again = await organiser.post(`/organise/events/${event.id}/publish`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(again.status).toBe(400);
    expect(again.text).toContain('A cancelled picket stays cancelled');
    expect((await db()('events').where({ id: event.id }).first()).status).toBe('cancelled');
    await h.runJobs();
    expect(h.smtp.to('mara@republish.test')).toHaveLength(mailsBefore);
  });
});

describe('English dates', () => {
  test('the RSVP page and its e-mail say "Friday 14 March 2031", as every other page does', async () => {
    const event = await buildEvent(db(), owner, { title: 'Friday picket', starts_at: FRIDAY });
    const form = await request(h.app).get(`/events/${event.id}/rsvp`);
    expect(form.text).toContain('Friday 14 March 2031, 18:00');
    await rsvp(event.id, { name: 'Nia', email: 'nia@dates.test' });
    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes('nia@dates.test'));
    expect(mail.text).toContain('Friday 14 March 2031, 18:00');
    expect(mail.text).not.toContain('March 14');
  });
});
