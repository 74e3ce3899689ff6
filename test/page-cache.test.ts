import request from 'supertest';
import { fixedClock } from '../src/lib/clock';
import { createHarness, csrfFrom, Harness } from './support/harness';
import { buildEvent, buildUser } from './support/factories';

const clock = fixedClock('2026-12-01T10:00:00Z');
let h: Harness;
let renders = 0;
beforeAll(async () => {
  h = await createHarness({ clock });
  const render = h.app.render.bind(h.app);
  h.app.render = ((name: string, options: object, callback: () => void) => {
    if (name.startsWith('pages/event')) renders++;
    return render(name, options, callback);
  }) as typeof h.app.render;
});
afterAll(async () => {
  await h.close();
});

async function eventPage(path: string, lang = 'en') {
  const before = renders;
  const res = await request(h.app).get(path).set('Accept-Language', lang);
  expect(res.status).toBe(200);
  return { res, rendered: renders > before };
}

test('a busy event page is rendered once, the same for every visitor, and its RSVP form works', async () => {
  const organiser = await buildUser(h.database.db);
  const event = await buildEvent(h.database.db, organiser, { title: 'Vigil for Maria', starts_at: new Date('2026-12-10T18:00:00Z') });
  const path = `/events/${event.id}-vigil-for-maria`;

  const first = await eventPage(path);
  const second = await eventPage(path);
  expect(first.rendered).toBe(true);
  expect(second.rendered).toBe(false);
  expect(second.res.text).toContain('Vigil for Maria');

  // No per-visitor token and no cookie: anonymous forms are protected by their origin instead.
  expect(csrfFrom(first.res.text)).toBe('');
  expect(second.res.text).toBe(first.res.text);
  expect(second.res.headers['set-cookie']).toBeUndefined();

  // The second visitor RSVPs with the form from the cached page, sent from the page itself.
  const rsvp = await request(h.app).post(`/events/${event.id}/rsvp`).set('Origin', 'http://picket.test').type('form')
    .send({ _csrf: csrfFrom(second.res.text), name: 'Nadia', email: 'nadia@example.org', role: 'attendee' });
  expect(rsvp.status).toBeLessThan(400);

  // The RSVP changed what the page shows, so it is rendered again.
  const after = await eventPage(path);
  expect(after.rendered).toBe(true);
  expect(after.res.text).toContain('1 person going');
});

test('an organiser\'s change, another language or the passing of time each give a fresh page', async () => {
  const organiser = await buildUser(h.database.db);
  const event = await buildEvent(h.database.db, organiser, { title: 'Picket one', starts_at: new Date('2026-12-11T18:00:00Z') });
  const path = `/events/${event.id}-picket-one`;
  await eventPage(path);
  expect((await eventPage(path)).rendered).toBe(false);

  await h.database.db('events').where({ id: event.id }).update({ title: 'Picket one, moved' });
  const changed = await eventPage(path);
  expect(changed.rendered).toBe(true);
  expect(changed.res.text).toContain('Picket one, moved');

  const french = await eventPage(path, 'fr');
  expect(french.rendered).toBe(true);
  expect(french.res.text).toContain('lang="fr"');

  expect((await eventPage(path)).rendered).toBe(false);
  clock.advance(2 * 60_000);
  expect((await eventPage(path)).rendered).toBe(true);
});

test('logged-in organisers never see a cached page', async () => {
  const organiser = await buildUser(h.database.db, { name: 'Olena' });
  const event = await buildEvent(h.database.db, organiser, { title: 'Picket two' });
  const path = `/events/${event.id}-picket-two`;
  await eventPage(path);
  const agent = request.agent(h.app);
  const login = await agent.get('/login');
  await agent.post('/login').type('form').send({ _csrf: csrfFrom(login.text), email: organiser.email, password: organiser.password });
  const before = renders;
  const res = await agent.get(path);
  expect(res.status).toBe(200);
  expect(renders).toBeGreaterThan(before);
  expect(res.text).toContain('Log out');
});
