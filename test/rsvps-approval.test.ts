// Pickets that approve attendees, and campaign block lists: only people the organisers approved
// ever learn the private meeting point, in any e-mail, calendar file or page; declined, removed
// and blocked people are told neutrally. Real PostgreSQL, real SMTP.
import request from 'supertest';
import type { ParsedMail } from 'mailparser';
import { createHarness, csrfFrom, Harness, submitForm, linkIn, logIn } from './support/harness';
import { instantToLocalInput } from '../src/lib/time';
import { buildCampaign, buildEvent, buildUser } from './support/factories';
import { recipients } from './support/smtp';

const POINT = 'Behind the kiosk at the north gate';

let h: Harness;
let owner: Awaited<ReturnType<typeof buildUser>>;
let campaignId: number;

beforeAll(async () => {
  h = await createHarness({ env: { RSVP_RATE_LIMIT: '10000' } });
  owner = await buildUser(h.database.db, { name: 'Olga Organiser' });
  campaignId = (await buildCampaign(h.database.db, owner)).id;
});
afterAll(() => h.close());

async function picket(overrides: { approve?: boolean; capacity?: number | null; waitlist?: boolean; title: string }) {
  const event = await buildEvent(h.database.db, owner, {
    campaign_id: campaignId, title: overrides.title, meeting_point_private: true, meeting_point: POINT,
    capacity: overrides.capacity ?? null, waitlist_enabled: overrides.waitlist ?? true,
  });
  await h.database.db('events').where({ id: event.id }).update({ approve_attendees: overrides.approve ?? false });
  return event;
}

function rsvp(eventId: number, name: string, email: string) {
  return submitForm(request.agent(h.app), '/login', `/events/${eventId}/rsvp`, { name, email, role: 'attendee', note: '' });
}

/** The flash the person sees after sending the form. */
async function screenAfter(res: request.Response): Promise<string> {
  return (await request(h.app).get(res.headers.location).set('Cookie', res.headers['set-cookie'])).text;
}

/** Everything a person received: text, HTML and attachments of every e-mail. */
function everything(mails: ParsedMail[]): string {
  return mails.map((m) => [m.subject, m.text, m.html || '', ...m.attachments.map((a) => a.content.toString())].join('\n')).join('\n');
}

async function organiser() {
  const agent = request.agent(h.app);
  await logIn(agent, owner.email, owner.password);
  return agent;
}

async function decide(agent: ReturnType<typeof request.agent>, eventId: number, action: string) {
  const res = await submitForm(agent, `/organise/events/${eventId}/rsvps`, action, {});
  expect(res.status).toBe(303);
  return res;
}

async function rsvpId(eventId: number, email: string): Promise<number> {
  return (await h.database.db('rsvps').where({ event_id: eventId }).whereRaw('lower(email) = ?', [email]).first()).id;
}

describe('a picket that approves attendees', () => {
  test('a request shows no meeting point anywhere; once approved the person gets it once; a declined person never does', async () => {
    const event = await picket({ approve: true, title: 'Vigil for the Picket Five' });
    expect(await screenAfter(await rsvp(event.id, 'Anna', 'anna@picket.test'))).toContain('your RSVP has been received');
    await rsvp(event.id, 'Boris', 'boris@picket.test');
    await h.runJobs();
    const requested = await h.smtp.waitFor((m) => recipients(m).includes('anna@picket.test'));
    expect(requested.subject).toBe('RSVP received: Vigil for the Picket Five');
    await h.smtp.waitFor((m) => recipients(m).includes('boris@picket.test'));

    // Before approval: no meeting point in the e-mail, the manage page, the public page or its calendar.
    expect(everything(h.smtp.to('anna@picket.test'))).not.toContain(POINT);
    const annaPage = linkIn(requested.text!, '/rsvp/');
    expect((await request(h.app).get(annaPage)).text).not.toContain(POINT);
    expect((await request(h.app).get(annaPage)).text).toContain('has been received');
    const eventPage = (await request(h.app).get(`/events/${event.id}`).redirects(1)).text;
    expect(eventPage).not.toContain(POINT);
    expect(eventPage).toContain('The organisers approve each attendee');
    expect((await request(h.app).get(`/events/${event.id}.ics`)).text).not.toContain(POINT);
    expect(await h.database.db('rsvps').where({ event_id: event.id }).pluck('status')).toEqual(['requested', 'requested']);

    // The organiser approves Anna and declines Boris, one click each.
    const agent = await organiser();
    const form = (await agent.get(`/organise/events/${event.id}/edit`)).text;
    expect(form).toMatch(/name="approve_attendees"[^>]*checked/);
    const list = await agent.get(`/organise/events/${event.id}/rsvps`);
    expect(list.text).toContain('Requested');
    expect(list.text).toContain('Approve all 2 requests');
    await decide(agent, event.id, `/organise/events/${event.id}/rsvps/${await rsvpId(event.id, 'anna@picket.test')}/approve`);
    await decide(agent, event.id, `/organise/events/${event.id}/rsvps/${await rsvpId(event.id, 'boris@picket.test')}/decline`);
    await h.runJobs();
    const approved = await h.smtp.waitFor((m) => recipients(m).includes('anna@picket.test') && m.subject!.startsWith('You are going'));
    expect(approved.text).toContain(POINT);
    const ics = approved.attachments.find((a) => a.contentType.startsWith('text/calendar'))!;
    expect(ics.content.toString()).toContain('north gate');
    const declined = await h.smtp.waitFor((m) => recipients(m).includes('boris@picket.test') && m.subject === 'About Vigil for the Picket Five');
    expect(declined.text).toContain('cannot offer you a place');
    expect(declined.text).not.toMatch(/block|declin|refus/i);

    // Anna received the meeting point once; Boris never, in any e-mail or on his page.
    expect(h.smtp.to('anna@picket.test').filter((m) => (m.text ?? '').includes(POINT))).toHaveLength(1);
    expect((await request(h.app).get(annaPage)).text).toContain(POINT);
    expect(everything(h.smtp.to('boris@picket.test'))).not.toContain(POINT);
    const borisPage = linkIn(h.smtp.to('boris@picket.test')[0].text!, '/rsvp/');
    expect((await request(h.app).get(borisPage)).text).not.toContain(POINT);
    expect((await request(h.app).get(borisPage)).text).toContain('cannot offer you a place');
  });

  test('approving everyone fills the free places first, then the waitlist; requests do not take places', async () => {
    const event = await picket({ approve: true, capacity: 1, title: 'Small picket' });
    for (const name of ['Ada', 'Ben', 'Cy']) expect((await rsvp(event.id, name, `${name.toLowerCase()}@picket.test`)).status).toBe(303);
    const agent = await organiser();
    const res = await decide(agent, event.id, `/organise/events/${event.id}/rsvps/approve`);
    expect(res.headers.location).toBe(`/organise/events/${event.id}/rsvps`);
    const rows = await h.database.db('rsvps').where({ event_id: event.id }).orderBy('id').select('name', 'status');
    expect(rows).toEqual([{ name: 'Ada', status: 'going' }, { name: 'Ben', status: 'waitlisted' }, { name: 'Cy', status: 'waitlisted' }]);
    await h.runJobs();
    expect(everything(h.smtp.to('ada@picket.test'))).toContain(POINT);
    expect(everything(h.smtp.to('ben@picket.test'))).not.toContain(POINT);

    // Removing Ada (told neutrally) gives her place to Ben.
    await decide(agent, event.id, `/organise/events/${event.id}/rsvps/${await rsvpId(event.id, 'ada@picket.test')}/remove`);
    await h.runJobs();
    expect((await h.database.db('rsvps').where({ event_id: event.id, name: 'Ben' }).first()).status).toBe('going');
    await h.smtp.waitFor((m) => recipients(m).includes('ada@picket.test') && m.subject === 'About Small picket');
    expect(everything(h.smtp.to('ben@picket.test'))).toContain(POINT);
  });

  test('raising the capacity gives nobody a place the organisers did not approve, nor a blocked address', async () => {
    const event = await picket({ approve: true, capacity: 1, title: 'Growing picket' });
    // A campaign of its own, so that its block list is its own.
    await h.database.db('events').where({ id: event.id }).update({ campaign_id: (await buildCampaign(h.database.db, owner)).id });
    for (const name of ['Eve', 'Finn', 'Gus']) expect((await rsvp(event.id, name, `${name.toLowerCase()}@grow.test`)).status).toBe(303);
    const agent = await organiser();
    await decide(agent, event.id, `/organise/events/${event.id}/rsvps/${await rsvpId(event.id, 'eve@grow.test')}/approve`);
    await decide(agent, event.id, `/organise/events/${event.id}/rsvps/${await rsvpId(event.id, 'gus@grow.test')}/block`);

    // The organiser makes room for five more, keeping approval on.
    const row = await h.database.db('events').where({ id: event.id }).first();
    const form = await agent.get(`/organise/events/${event.id}/edit`);
    const saved = await agent.post(`/organise/events/${event.id}`).type('form').send({
      _csrf: csrfFrom(form.text), kind: row.kind, title: row.title, address: row.address, city: row.city, country: row.country,
      latitude: String(row.latitude), longitude: String(row.longitude), timezone: row.timezone,
      starts_local: instantToLocalInput(row.starts_at, row.timezone), ends_local: instantToLocalInput(row.ends_at, row.timezone),
      capacity: '6', waitlist_enabled: 'on', approve_attendees: 'on', meeting_point_private: 'on', meeting_point: POINT,
    });
    expect(saved.status).toBe(303);
    const statuses = async () => Object.fromEntries((await h.database.db('rsvps').where({ event_id: event.id }).select('name', 'status')).map((r) => [r.name, r.status]));
    expect(await statuses()).toEqual({ Eve: 'going', Finn: 'requested', Gus: 'declined' });

    // The blocked address tries again: accepted on screen, still no place after another raise.
    expect((await rsvp(event.id, 'G.', 'gus@grow.test')).status).toBe(303);
    await decide(agent, event.id, `/organise/events/${event.id}/rsvps/approve`);
    expect(await statuses()).toEqual({ Eve: 'going', Finn: 'going', Gus: 'declined' });
    const page = await request(h.app).get(`/events/${event.id}/rsvp`);
    expect(page.text).toContain('2 people going');
  });

  test('another organiser cannot decide on these RSVPs', async () => {
    const event = await picket({ approve: true, title: 'Private decisions' });
    await rsvp(event.id, 'Dana', 'dana@picket.test');
    const stranger = await buildUser(h.database.db);
    const agent = request.agent(h.app);
    await logIn(agent, stranger.email, stranger.password);
    const res = await submitForm(agent, '/organise', `/organise/events/${event.id}/rsvps/approve`, {});
    expect(res.status).toBe(403);
    expect((await h.database.db('rsvps').where({ event_id: event.id }).first()).status).toBe('requested');
  });
});

describe('a campaign block list', () => {
  test('a blocked address is told neutrally, and its later RSVPs are accepted on screen but never get the meeting point', async () => {
    const first = await picket({ title: 'Picket one' });
    const second = await picket({ title: 'Picket two' });
    await rsvp(first.id, 'Mallory', 'mallory@picket.test');
    await h.runJobs();
    await h.smtp.waitFor((m) => recipients(m).includes('mallory@picket.test'));

    const agent = await organiser();
    await decide(agent, first.id, `/organise/events/${first.id}/rsvps/${await rsvpId(first.id, 'mallory@picket.test')}/block`);
    await h.runJobs();
    await h.smtp.waitFor((m) => recipients(m).includes('mallory@picket.test') && m.subject === 'About Picket one');
    // The block list holds a keyed hash, not the address.
    const blocks = await h.database.db('campaign_blocks').where({ campaign_id: campaignId });
    expect(blocks).toHaveLength(1);
    expect(JSON.stringify(blocks).toLowerCase()).not.toContain('mallory');
    expect(blocks[0].email_hash).toMatch(/^[0-9a-f]{64}$/);

    // Later, with other capitals: the screen says what it says to everyone.
    h.smtp.clear();
    const res = await rsvp(second.id, 'M.', 'MALLORY@picket.test');
    expect(res.status).toBe(303);
    expect(await screenAfter(res)).toContain('You are going');
    await h.runJobs();
    const confirmation = await h.smtp.waitFor((m) => recipients(m).includes('mallory@picket.test'));
    expect(confirmation.subject).toBe('You are going: Picket two');
    expect(everything(h.smtp.to('mallory@picket.test'))).not.toContain(POINT);
    expect(everything(h.smtp.to('mallory@picket.test'))).not.toContain('north gate');
    const page = await request(h.app).get(linkIn(confirmation.text!, '/rsvp/'));
    expect(page.text).toContain('You are going to Picket two');
    expect(page.text).not.toContain(POINT);
    // It takes no place, and the organisers see it marked, with nothing to approve.
    const row = await h.database.db('rsvps').where({ event_id: second.id }).first();
    expect(row).toMatchObject({ status: 'requested', blocked: true });
    const list = await agent.get(`/organise/events/${second.id}/rsvps`);
    expect(list.text).toContain('(blocked address)');
    expect(list.text).not.toContain(`/rsvps/${row.id}/approve`);

    // Messages and reminders go to people going only: never to the blocked address.
    await submitForm(agent, `/organise/events/${second.id}/rsvps`, `/organise/events/${second.id}/messages`, { subject: 'Where we meet', body: `Meet ${POINT}.` });
    await h.runJobs();
    expect(everything(h.smtp.to('mallory@picket.test'))).not.toContain(POINT);
  });
});
