// Lists that grow with people's data come a page at a time, with a way to the rest; the long list
// of places in the event form became a search that works without JavaScript.
import request from 'supertest';
import { buildEvent, buildRsvp, buildUser } from './support/factories';
import { createHarness, csrfFrom, Harness, logIn } from './support/harness';

let h: Harness;
let owner: Awaited<ReturnType<typeof buildUser>>;
let agent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  h = await createHarness();
  owner = await buildUser(h.database.db);
  agent = request.agent(h.app);
  await logIn(agent, owner.email, owner.password);
});
afterAll(async () => {
  await h.close();
});

const db = () => h.database.db;
const nextLink = (html: string) => /<a rel="next" href="([^"]+)"/.exec(html)?.[1].replace(/&amp;/g, '&');

test('an organiser with 520 pickets sees them all, 50 to a page, instead of the first 500', async () => {
  const base = Date.parse('2031-01-01T12:00:00Z');
  await db()('events').insert(Array.from({ length: 520 }, (_, i) => ({
    owner_id: owner.id, kind: 'picket', title: `Picket number ${i + 1}`, slug: `picket-${i + 1}`, description: '',
    address: '', city: 'London', country: 'GB', latitude: 51.5, longitude: -0.19, timezone: 'Europe/London',
    starts_at: new Date(base + i * 86400_000), ends_at: new Date(base + i * 86400_000 + 3600_000), status: 'draft',
  })));
  const first = await agent.get('/organise');
  expect(first.text).toContain('Picket number 520'); // latest first
  expect(first.text).not.toContain('Picket number 470<');
  expect(first.text).toContain('Page 1 of 11 (520 in all)');
  let page = first;
  const seen = new Set<string>();
  for (;;) {
    for (const m of page.text.matchAll(/>Picket number (\d+)</g)) seen.add(m[1]);
    const next = nextLink(page.text);
    if (!next) break;
    page = await agent.get(next);
  }
  expect(seen.size).toBe(520);
  expect(page.text).toContain('Picket number 1<');
});

test('the RSVP list of a big picket is paged; the CSV still has everyone', async () => {
  const event = await buildEvent(db(), owner, { title: 'Big vigil' });
  for (let i = 1; i <= 130; i++) await buildRsvp(db(), event, { name: `Person ${i}`, email: `person${i}@big.test` });
  const first = await agent.get(`/organise/events/${event.id}/rsvps`);
  expect(first.text).toContain('Page 1 of 2 (130 in all)');
  expect(first.text).toContain('person1@big.test');
  expect(first.text).not.toContain('person130@big.test');
  const second = await agent.get(nextLink(first.text)!);
  expect(second.text).toContain('person130@big.test');
  expect(second.text).not.toContain('person1@big.test<');
  const csv = await agent.get(`/organise/events/${event.id}/rsvps.csv`);
  expect(csv.text.trim().split('\n')).toHaveLength(131);
});

test('the event form searches the place directory instead of listing every place, keeping what was typed', async () => {
  await db()('venues').insert(Array.from({ length: 200 }, (_, i) => ({
    kind: 'embassy', name: `Embassy number ${i + 1}`, address: '', city: `City ${i + 1}`, country: 'FR',
    latitude: 48.85, longitude: 2.35, timezone: 'Europe/Paris',
  })));
  const [vilnius] = await db()('venues').insert({
    kind: 'embassy', name: 'Embassy of Belarus in Lithuania', address: 'Mindaugo g. 13', city: 'Vilnius', country: 'LT',
    latitude: 54.68, longitude: 25.27, timezone: 'Europe/Vilnius',
  }).returning('*');

  const form = await agent.get('/organise/events/new');
  const options = (html: string) => [...html.matchAll(/<option value="(\d+)"/g)].length;
  expect(options(form.text.slice(form.text.indexOf('id="field-venue_id"')))).toBeLessThanOrEqual(31);
  expect(form.text).toContain('Showing 30 of 201 places');

  // Without JavaScript: type a search, press "Find places"; the form comes back with the matches.
  const found = await agent.post('/organise/events').type('form').send({
    _csrf: csrfFrom(form.text), find_venue: '1', venue_q: 'vilnius', kind: 'vigil', title: 'Vigil in Vilnius', starts_local: '2031-05-01T18:00',
  });
  expect(found.status).toBe(200);
  expect(found.text).toContain(`<option value="${vilnius.id}"`);
  expect(found.text).toContain('Embassy of Belarus in Lithuania');
  expect(found.text).not.toContain('Embassy number 7<');
  expect(found.text).toContain('value="Vigil in Vilnius"');
  expect(found.text).toContain('value="2031-05-01T18:00"');
  expect(await db()('events').where({ title: 'Vigil in Vilnius' })).toHaveLength(0);

  const saved = await agent.post('/organise/events').type('form').send({
    _csrf: csrfFrom(found.text), kind: 'vigil', title: 'Vigil in Vilnius', venue_id: String(vilnius.id),
    starts_local: '2031-05-01T18:00', ends_local: '2031-05-01T19:00',
  });
  expect(saved.status).toBe(303);
  const row = await db()('events').where({ title: 'Vigil in Vilnius' }).first();
  expect(row).toMatchObject({ venue_id: vilnius.id, city: 'Vilnius', timezone: 'Europe/Vilnius' });
  // Editing keeps the chosen place in the list, whatever the search shows.
  const edit = await agent.get(`/organise/events/${row.id}/edit`);
  expect(edit.text).toContain(`<option value="${vilnius.id}" selected`);
});

test('moderation queues and the report-back gallery come a page at a time', async () => {
  const event = await buildEvent(db(), owner, { title: 'Gallery picket', starts_at: new Date(Date.now() - 48 * 3600_000) });
  const rows = (status: string, from: number, n: number) => Array.from({ length: n }, (_, i) => ({
    event_id: event.id, kind: 'letter', status, letter_text: `Letter ${from + i}`, caption: `Letter ${from + i}`,
  }));
  await db()('submissions').insert([...rows('pending', 1, 35), ...rows('approved', 101, 12)]);
  const queue = await agent.get(`/organise/events/${event.id}/moderation`);
  expect(queue.text).toContain('Page 1 of 2 (35 in all)');
  expect(queue.text).not.toContain('Letter 35<');
  expect((await agent.get(nextLink(queue.text)!)).text).toContain('Letter 35<');
  const all = await agent.get('/organise/moderation');
  expect(all.text).toContain('Page 1 of 2 (35 in all)');

  const page = await request(h.app).get(`/events/${event.id}`).redirects(1);
  expect(page.text).toContain('Letter 110<');
  expect(page.text).not.toContain('Letter 111<');
  const more = nextLink(page.text)!;
  expect(more).toMatch(/\?letters=2#report-letters$/);
  expect((await request(h.app).get(more)).text).toContain('Letter 112<');
});

test('a campaign page with many pickets lists 100 and links to the rest', async () => {
  const [campaign] = await db()('campaigns').insert({ slug: 'many-pickets', title: 'Many pickets', description: '', target_country: 'BY', slogans: [], owner_id: owner.id }).returning('*');
  const base = Date.parse('2031-02-01T12:00:00Z');
  await db()('events').insert(Array.from({ length: 130 }, (_, i) => ({
    owner_id: owner.id, campaign_id: campaign.id, kind: 'picket', title: `Campaign picket ${i + 1}`, slug: `cp-${i + 1}`, description: '',
    address: '', city: `Town ${i + 1}`, country: 'DE', latitude: 52.5, longitude: 13.4, timezone: 'Europe/Berlin',
    starts_at: new Date(base + i * 3600_000), ends_at: new Date(base + i * 3600_000 + 1800_000), status: 'published',
  })));
  const first = await request(h.app).get('/campaigns/many-pickets');
  expect(first.text).toContain('>Campaign picket 100<');
  expect(first.text).not.toContain('>Campaign picket 101<');
  expect(first.text).toContain('Page 1 of 2 (130 in all)');
  const second = await request(h.app).get(nextLink(first.text)!);
  expect(second.text).toContain('>Campaign picket 130<');
});
