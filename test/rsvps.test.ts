import request from 'supertest';
import { createHarness, Harness, submitForm, linkIn } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { recipients } from './support/smtp';

let h: Harness;
let owner: { id: number };
beforeAll(async () => {
  h = await createHarness({ env: { RSVP_RATE_LIMIT: '10000' } });
  owner = await buildUser(h.database.db);
});
afterAll(async () => {
  await h.close();
});

const rsvpCount = async (eventId: number) =>
  Number((await h.database.db('rsvps').where({ event_id: eventId }).count({ n: '*' }).first())!.n);

/** Posts the RSVP form with a CSRF token from a page with a form (the event's own form may be closed). */
function rsvp(eventId: number, fields: Record<string, string>, agent = request.agent(h.app)) {
  return submitForm(agent, '/login', `/events/${eventId}/rsvp`, fields);
}

describe('an activist RSVPs to a picket', () => {
  test('gets a confirmation e-mail in the event’s local time, with the .ics and a manage link', async () => {
    const event = await buildEvent(h.database.db, owner, {
      title: 'Vigil in Tbilisi', city: 'Tbilisi', country: 'GE', timezone: 'Asia/Tbilisi',
      starts_at: new Date('2031-03-14T14:00:00Z'), ends_at: new Date('2031-03-14T16:00:00Z'),
    });
    const res = await rsvp(event.id, { name: 'Nino', email: 'Nino@Picket.test', role: 'steward', note: 'I bring a megaphone' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/events/${event.id}/rsvp/done`);
    const done = await request(h.app).get(res.headers.location).set('Cookie', res.headers['set-cookie']);
    expect(done.text).toContain('You are going');
    // The calendar file is offered right away, not only in the e-mail.
    expect(done.text).toMatch(new RegExp(`href="/events/${event.id}\\.ics" download>Add to calendar`));
    expect((await request(h.app).get(`/events/${event.id}.ics`)).text).toContain('SUMMARY:Vigil in Tbilisi');

    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes('nino@picket.test'));
    expect(mail.subject).toBe('You are going: Vigil in Tbilisi');
    // 14:00 UTC is 18:00 in Tbilisi (UTC+4).
    expect(mail.text).toContain('18:00');
    expect(mail.text).toContain('UTC+04');
    expect(mail.text).toContain('Steward');
    const ics = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    expect(ics).toBeDefined();
    const calendar = ics!.content.toString();
    expect(calendar).toContain('BEGIN:VEVENT');
    expect(calendar).toContain('SUMMARY:Vigil in Tbilisi');
    expect(calendar).toContain('DTSTART;TZID=Asia/Tbilisi:20310314T180000');
    const manage = linkIn(mail.text!, '/rsvp/');
    const token = manage.split('/').pop()!;
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(calendar).not.toContain(token);
    expect(calendar.toLowerCase()).not.toContain('nino@picket.test');

    const page = await request(h.app).get(manage);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('You are going to Vigil in Tbilisi');
  });

  test('the public form shows counts but never a name, e-mail, note or token', async () => {
    const event = await buildEvent(h.database.db, owner, { capacity: 10 });
    await rsvp(event.id, { name: 'Secret Sasha', email: 'sasha@picket.test', note: 'private note' });
    const page = await request(h.app).get(`/events/${event.id}/rsvp`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('1 person going');
    expect(page.text).toContain('9 places left');
    expect(page.text).not.toContain('Secret Sasha');
    expect(page.text).not.toContain('sasha@picket.test');
    expect(page.text).not.toContain('private note');
    const token = (await h.database.db('rsvps').where({ event_id: event.id }).first()).token;
    expect(page.text).not.toContain(token);
    expect(page.text).toContain('delete them 30 days after it ends');
  });
});

describe('the public event page, JSON and calendar', () => {
  test('carry the RSVP form and counts, never an attendee’s name, e-mail, note, token or a private meeting point', async () => {
    const event = await buildEvent(h.database.db, owner, {
      title: 'Public page picket', capacity: 5, meeting_point_private: true, meeting_point: 'Behind the kiosk',
    });
    await rsvp(event.id, { name: 'Hidden Hana', email: 'hana@picket.test', note: 'hana-note' });
    const token = (await h.database.db('rsvps').where({ event_id: event.id }).first()).token;
    const page = await request(h.app).get(`/events/${event.id}`).redirects(1);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Are you coming?');
    expect(page.text).toContain('1 person going');
    expect(page.text).toContain(`action="/events/${event.id}/rsvp"`);
    const ics = await request(h.app).get(`/events/${event.id}.ics`);
    const api = await request(h.app).get('/api/events');
    for (const body of [page.text, ics.text, JSON.stringify(api.body)]) {
      for (const secret of ['Hidden Hana', 'hana@picket.test', 'hana-note', token, 'Behind the kiosk']) expect(body).not.toContain(secret);
    }
  });
});

describe('the manage link', () => {
  test('cancelling frees the place for the first on the waitlist, who is told by e-mail', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Small picket', capacity: 1, waitlist_enabled: true });
    await rsvp(event.id, { name: 'First', email: 'first@picket.test' });
    const second = await rsvp(event.id, { name: 'Second', email: 'second@picket.test' });
    expect(second.status).toBe(303);
    await rsvp(event.id, { name: 'Third', email: 'third@picket.test' });
    await h.runJobs();
    const waitMail = await h.smtp.waitFor((m) => recipients(m).includes('second@picket.test'));
    expect(waitMail.subject).toBe('On the waitlist: Small picket');
    expect(waitMail.attachments).toHaveLength(0);

    const confirmation = await h.smtp.waitFor((m) => recipients(m).includes('first@picket.test'));
    const manage = linkIn(confirmation.text!, '/rsvp/');
    const agent = request.agent(h.app);
    const cancelled = await submitForm(agent, manage, `${manage}/cancel`, {});
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.location).toBe(`/events/${event.id}/rsvp/cancelled`);
    const after = await agent.get(cancelled.headers.location);
    expect(after.text).toContain('Your RSVP has been cancelled');
    // The way back to the picket, for someone who changes their mind.
    expect(after.text).toContain(`href="/events/${event.id}">Back to Small picket</a>`);

    const statuses = Object.fromEntries(
      (await h.database.db('rsvps').where({ event_id: event.id })).map((r) => [r.email, r.status]),
    );
    expect(statuses).toEqual({ 'first@picket.test': 'cancelled', 'second@picket.test': 'going', 'third@picket.test': 'waitlisted' });
    await h.runJobs();
    const promoted = await h.smtp.waitFor((m) => recipients(m).includes('second@picket.test') && m.subject!.startsWith('A place freed up'));
    expect(promoted.attachments.some((a) => a.contentType.startsWith('text/calendar'))).toBe(true);

    // The used link now says clearly that it is used up.
    const used = await request(h.app).get(manage);
    expect(used.status).toBe(410);
    expect(used.text).toContain('This RSVP was cancelled');
    const usedAgain = await request(h.app).post(`${manage}/cancel`).set('Origin', 'https://elsewhere.example').type('form').send({});
    expect(usedAgain.status).toBe(403); // from another site: refused before anything else
    expect((await request(h.app).post(`${manage}/cancel`).type('form').send({})).status).toBe(410);
  });

  test('an attendee changes their name and role', async () => {
    const event = await buildEvent(h.database.db, owner);
    await rsvp(event.id, { name: 'Lev', email: 'lev@picket.test' });
    const row = await h.database.db('rsvps').where({ event_id: event.id }).first();
    const agent = request.agent(h.app);
    const bad = await submitForm(agent, `/rsvp/${row.token}`, `/rsvp/${row.token}`, { name: '', role: 'speaker', note: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('This field is required');
    const ok = await submitForm(agent, `/rsvp/${row.token}`, `/rsvp/${row.token}`, { name: 'Lev T.', role: 'speaker', note: 'late' });
    expect(ok.status).toBe(303);
    expect(await h.database.db('rsvps').where({ id: row.id }).first()).toMatchObject({ name: 'Lev T.', role: 'speaker', note: 'late' });
  });

  test('unknown or malformed links get a clear 404 page, never a 500', async () => {
    for (const token of ['x'.repeat(43), 'nope', '%E0%A4%A', 'a'.repeat(500)]) {
      const res = await request(h.app).get(`/rsvp/${token}`);
      expect([404, 400]).toContain(res.status);
      if (res.status === 404) expect(res.text).toContain('This link does not work');
    }
  });
});

describe('head-count-only RSVPs', () => {
  test('without an e-mail, the manage link is shown on screen only', async () => {
    const event = await buildEvent(h.database.db, owner, { headcount_only_allowed: true });
    const form = await request(h.app).get(`/events/${event.id}/rsvp`);
    expect(form.text).toContain('E-mail (optional)');
    await h.runJobs();
    const before = h.smtp.messages.length;
    const agent = request.agent(h.app);
    const res = await rsvp(event.id, { name: 'Anonymous', email: '', role: 'attendee' }, agent);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/rsvp\/[A-Za-z0-9_-]{43}$/);
    const page = await agent.get(res.headers.location);
    expect(page.text).toContain('You are counted');
    expect(page.text).toContain(`http://picket.test${res.headers.location}`);
    const row = await h.database.db('rsvps').where({ event_id: event.id }).first();
    expect(row).toMatchObject({ email: null, status: 'going' });
    await h.runJobs();
    expect(h.smtp.messages.length).toBe(before);
  });

  test('an event that does not allow it requires an e-mail', async () => {
    const event = await buildEvent(h.database.db, owner, { headcount_only_allowed: false });
    const res = await rsvp(event.id, { name: 'Anonymous', email: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('This field is required');
    expect(await rsvpCount(event.id)).toBe(0);
  });
});

describe('a private meeting point', () => {
  test('the public sees only the area; going attendees get the exact point, waitlisted do not', async () => {
    const event = await buildEvent(h.database.db, owner, {
      title: 'Quiet picket', capacity: 1, meeting_point_private: true, meeting_point: 'By the red phone box', address: '6 Kensington Court',
    });
    const page = await request(h.app).get(`/events/${event.id}/rsvp`);
    expect(page.text).toContain('London');
    expect(page.text).not.toContain('red phone box');
    expect(page.text).not.toContain('Kensington Court');

    await rsvp(event.id, { name: 'Going', email: 'going-private@picket.test' });
    await rsvp(event.id, { name: 'Waiting', email: 'waiting-private@picket.test' });
    await h.runJobs();
    const going = await h.smtp.waitFor((m) => recipients(m).includes('going-private@picket.test'));
    expect(going.text).toContain('By the red phone box');
    expect(going.attachments[0].content.toString()).toContain('red phone box');
    const waiting = await h.smtp.waitFor((m) => recipients(m).includes('waiting-private@picket.test'));
    expect(waiting.text).not.toContain('red phone box');
    expect(waiting.text).not.toContain('Kensington Court');

    const goingPage = await request(h.app).get(linkIn(going.text!, '/rsvp/'));
    expect(goingPage.text).toContain('By the red phone box');
    const waitingPage = await request(h.app).get(linkIn(waiting.text!, '/rsvp/'));
    expect(waitingPage.status).toBe(200);
    expect(waitingPage.text).not.toContain('red phone box');
  });
});

describe('bad input stores nothing and says why', () => {
  test('invalid e-mail and empty name re-render the form with the values and messages', async () => {
    const event = await buildEvent(h.database.db, owner);
    const res = await rsvp(event.id, { name: '  ', email: 'not-an-email', note: 'my note' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('This field is required');
    expect(res.text).toContain('Enter a valid e-mail address');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('my note');
    expect(await rsvpCount(event.id)).toBe(0);
  });

  test('a draft is not found; a cancelled or past picket and a full one without waitlist refuse', async () => {
    const draft = await buildEvent(h.database.db, owner, { status: 'draft' });
    expect((await request(h.app).get(`/events/${draft.id}/rsvp`)).status).toBe(404);
    expect((await rsvp(draft.id, { name: 'X', email: 'x@picket.test' })).status).toBe(404);

    const cancelled = await buildEvent(h.database.db, owner, { status: 'cancelled' });
    const c = await rsvp(cancelled.id, { name: 'X', email: 'x@picket.test' });
    expect(c.status).toBe(400);
    expect(c.text).toContain('This picket has been cancelled');

    const past = await buildEvent(h.database.db, owner, { starts_at: new Date(Date.now() - 3600_000), ends_at: new Date(Date.now() + 3600_000) });
    const p = await rsvp(past.id, { name: 'X', email: 'x@picket.test' });
    expect(p.status).toBe(400);
    expect(p.text).toContain('already started');

    const full = await buildEvent(h.database.db, owner, { capacity: 1, waitlist_enabled: false });
    await rsvp(full.id, { name: 'In', email: 'in@picket.test' });
    const f = await rsvp(full.id, { name: 'Out', email: 'out@picket.test', note: 'hello' });
    expect(f.status).toBe(409);
    expect(f.text).toContain('full and has no waitlist');
    for (const e of [draft, cancelled, past]) expect(await rsvpCount(e.id)).toBe(0);
    expect(await rsvpCount(full.id)).toBe(1);
  });

  test('too many RSVPs from one address are refused with a clear message', async () => {
    const app = h.rebuild({ config: { ...h.config, RSVP_RATE_LIMIT: 2 } });
    await h.database.db('rate_limits').delete(); // counted in the database: forget this file's earlier RSVPs
    const event = await buildEvent(h.database.db, owner);
    const agent = request.agent(app);
    const statuses: number[] = [];
    let last = '';
    for (let i = 0; i < 3; i += 1) {
      const res = await agent.post(`/events/${event.id}/rsvp`).type('form').send({ name: `P${i}`, email: `p${i}@picket.test` });
      statuses.push(res.status);
      last = res.text;
    }
    expect(statuses).toEqual([303, 303, 429]);
    expect(last).toContain('Too many RSVPs');
    expect(await rsvpCount(event.id)).toBe(2);
  });
});
