// Someone who knows an attendee's e-mail address tries to rewrite or revive their RSVP by RSVPing
// again with it, from a client with no cookies. Only the manage link may change an RSVP.
import request from 'supertest';
import { createHarness, Harness, linkIn } from './support/harness';
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

/** An RSVP as a cookieless client sends it; returns what the visitor then sees. */
async function rsvpFromNowhere(eventId: number, fields: Record<string, string>) {
  const res = await request(h.app).post(`/events/${eventId}/rsvp`).type('form').send(fields);
  const shown = res.status === 303
    ? (await request(h.app).get(res.headers.location).set('Cookie', res.headers['set-cookie'])).text
    : res.text;
  return { status: res.status, location: res.headers.location as string | undefined, shown };
}

const rowsOf = (eventId: number) => h.database.db('rsvps').where({ event_id: eventId }).orderBy('id');
const mailsTo = (address: string) => h.smtp.messages.filter((m) => recipients(m).includes(address));

test('a second RSVP with a known address changes nothing, looks like any RSVP, and the owner is e-mailed her link', async () => {
  const event = await buildEvent(h.database.db, owner, { title: 'Picket at the embassy' });
  await rsvpFromNowhere(event.id, { name: 'Ana', email: 'ana@picket.test', role: 'attendee', note: 'I bring flyers' });
  await h.runJobs();
  const [original] = await rowsOf(event.id);

  const forged = await rsvpFromNowhere(event.id, { name: 'Not Ana', email: 'ANA@picket.test', role: 'speaker', note: 'changed' });
  const stranger = await rsvpFromNowhere(event.id, { name: 'Boris', email: 'boris@picket.test', role: 'attendee' });
  expect(forged.status).toBe(303);
  expect(forged.location).toBe(stranger.location);
  expect(forged.shown).toBe(stranger.shown);
  expect(forged.shown).toContain('You are going');

  const rows = await rowsOf(event.id);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toEqual(original);

  await h.runJobs();
  const notice = await h.smtp.waitFor((m) => recipients(m).includes('ana@picket.test') && m.subject === 'Your RSVP to Picket at the embassy');
  expect(notice.text).toContain('nothing was changed');
  expect(notice.text).toContain('You are going, as Attendee.');
  expect(linkIn(notice.text!, '/rsvp/')).toBe(`/rsvp/${original.token}`);
  expect(notice.text).not.toContain('Not Ana');
  expect(mailsTo('ana@picket.test')).toHaveLength(2); // her confirmation, then this notice
});

test('a cancelled RSVP is not revived by RSVPing again with its address', async () => {
  const event = await buildEvent(h.database.db, owner, { title: 'Vigil' });
  await rsvpFromNowhere(event.id, { name: 'Lev', email: 'lev@picket.test' });
  const [row] = await rowsOf(event.id);
  const cancelled = await request(h.app).post(`/rsvp/${row.token}/cancel`).type('form').send({});
  expect(cancelled.status).toBe(303);
  const [before] = await rowsOf(event.id);
  expect(before.status).toBe('cancelled');

  const again = await rsvpFromNowhere(event.id, { name: 'Lev', email: 'lev@picket.test' });
  expect(again.shown).toContain('You are going');
  expect(await rowsOf(event.id)).toEqual([before]);

  await h.runJobs();
  const notice = await h.smtp.waitFor((m) => recipients(m).includes('lev@picket.test') && m.subject === 'Your RSVP to Vigil');
  expect(notice.text).toContain('it stays cancelled');
  expect(notice.text).not.toContain('/rsvp/');
});

test('on a full picket the answer is the same as a newcomer\'s: waitlist, or full', async () => {
  const withWaitlist = await buildEvent(h.database.db, owner, { capacity: 1, waitlist_enabled: true });
  await rsvpFromNowhere(withWaitlist.id, { name: 'Ana', email: 'ana2@picket.test' });
  const forged = await rsvpFromNowhere(withWaitlist.id, { name: 'X', email: 'ana2@picket.test' });
  const newcomer = await rsvpFromNowhere(withWaitlist.id, { name: 'Y', email: 'y@picket.test' });
  expect(forged.shown).toBe(newcomer.shown);
  expect(forged.shown).toContain('waitlist');
  expect((await rowsOf(withWaitlist.id)).map((r) => [r.name, r.status])).toEqual([['Ana', 'going'], ['Y', 'waitlisted']]);

  const noWaitlist = await buildEvent(h.database.db, owner, { capacity: 1, waitlist_enabled: false });
  await rsvpFromNowhere(noWaitlist.id, { name: 'Ana', email: 'ana3@picket.test' });
  const forgedFull = await rsvpFromNowhere(noWaitlist.id, { name: 'X', email: 'ana3@picket.test' });
  const newcomerFull = await rsvpFromNowhere(noWaitlist.id, { name: 'Z', email: 'z@picket.test' });
  expect([forgedFull.status, newcomerFull.status]).toEqual([409, 409]);
  expect(forgedFull.shown.replace(/value="[^"]*"/g, '')).toBe(newcomerFull.shown.replace(/value="[^"]*"/g, ''));
});
