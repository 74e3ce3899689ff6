// Places organisers add for their own pickets: saved from the event form without knowing any
// coordinates by heart, offered to them (and not to other organisers) for later pickets, changed
// only by them and the admins. The shared directory stays the admins'.
import { Client } from 'pg';
import request from 'supertest';
import { createHarness, csrfFrom, Harness, logIn, submitForm } from './support/harness';
import { DateTime } from 'luxon';
import { buildCampaign, buildUser, PASSWORD } from './support/factories';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const db = () => h.database.db;

async function signedIn(role: 'organiser' | 'admin' = 'organiser') {
  const user = await buildUser(db(), { role });
  const agent = request.agent(h.app);
  await logIn(agent, user.email, PASSWORD);
  return { user, agent };
}

/** The event form as typed: a picket whose place is not in the directory. */
const picket = (extra: Record<string, string> = {}) => ({
  kind: 'vigil', title: 'Vigil on the town hall steps', address: 'Rathausplatz 1', city: 'Vienna', country: 'AT',
  latitude: '48.2108', longitude: '16.3575', timezone: '', starts_local: '2031-06-01T18:00', ends_local: '2031-06-01T19:00', ...extra,
});

async function saveThisPlace(agent: request.Agent, fields: Record<string, string>) {
  const form = await agent.get('/organise/events/new');
  return agent.post('/organise/events').type('form').send({ _csrf: csrfFrom(form.text), add_place: '1', ...fields });
}

test('an organiser saves a new place from the event form; it is chosen, theirs, and offered for the next picket', async () => {
  const { user, agent } = await signedIn();
  const res = await saveThisPlace(agent, picket({ place_name: 'Town hall steps', place_kind: 'square' }));
  expect(res.status).toBe(200);
  const place = await db()('venues').where({ name: 'Town hall steps' }).first();
  expect(place).toMatchObject({ owner_id: user.id, kind: 'square', city: 'Vienna', country: 'AT', latitude: 48.2108, timezone: 'Europe/Vienna' });
  // The form comes back as typed, with the new place chosen and a word saying so.
  expect(res.text).toContain('“Town hall steps” is saved in your places and chosen for this picket.');
  expect(res.text).toContain(`<option value="${place.id}" selected`);
  expect(res.text).toContain('value="Vigil on the town hall steps"');
  expect(res.text).toContain('value="2031-06-01T18:00"');
  expect(await db()('events').where({ title: 'Vigil on the town hall steps' })).toHaveLength(0);

  const saved = await agent.post('/organise/events').type('form').send({ _csrf: csrfFrom(res.text), ...picket({ venue_id: String(place.id), latitude: '', longitude: '' }) });
  expect(saved.status).toBe(303);
  expect(await db()('events').where({ title: 'Vigil on the town hall steps' }).first()).toMatchObject({ venue_id: place.id, city: 'Vienna', timezone: 'Europe/Vienna' });

  // Next time it is among the places offered, marked as theirs, and listed under "My places".
  const next = await agent.get('/organise/events/new?venue_q=town');
  expect(next.text).toMatch(new RegExp(`<option value="${place.id}"[^>]*>Town hall steps — Vienna \\(AT\\) · my place<`));
  const search = await agent.get('/organise/places/search?city=vienna&country=AT').set('Accept', 'application/json');
  expect(search.body.results).toEqual([expect.objectContaining({ id: place.id, name: 'Town hall steps', own: true, lat: 48.2108, lng: 16.3575 })]);
  expect(search.body.results[0]).not.toHaveProperty('owner_id');
  const mine = await agent.get('/organise/places');
  expect(mine.text).toContain(`href="/organise/places/${place.id}"`);
});

test('a bad new place comes back with a message on each field and everything typed; nothing is stored', async () => {
  const { agent } = await signedIn();
  const before = Number((await db()('venues').count({ n: '*' }).first())!.n);
  const res = await saveThisPlace(agent, picket({ place_name: '', place_kind: 'castle', place_represents: 'ZZ', latitude: '', longitude: '200', title: 'Kept title' }));
  expect(res.status).toBe(400);
  const errorOf = (field: string) => new RegExp(`id="field-${field}-error">([^<]+)<`).exec(res.text)?.[1];
  expect(errorOf('place_name')).toBe('This field is required');
  expect(errorOf('place_kind')).toBeDefined();
  expect(errorOf('place_represents')).toMatch(/^Choose a country/);
  expect(errorOf('latitude')).toBe('This field is required');
  expect(errorOf('longitude')).toBe('Longitude must be a number between -180 and 180');
  expect(res.text).toContain('value="Kept title"');
  expect(res.text).toContain('value="200"');
  expect(res.text).toMatch(/<details class="new-place" id="new-place" open>/);
  expect(Number((await db()('venues').count({ n: '*' }).first())!.n)).toBe(before);
});

test('another organiser neither sees, uses nor changes it; a shared place is changed only by admins', async () => {
  const owner = await signedIn();
  await saveThisPlace(owner.agent, picket({ place_name: 'Corner by the bakery', place_kind: 'other' }));
  const place = await db()('venues').where({ name: 'Corner by the bakery', owner_id: owner.user.id }).first();
  const [shared] = await db()('venues').insert({ kind: 'embassy', name: 'Embassy of Belarus in Austria', address: 'Hüttelbergstraße 6', city: 'Vienna', country: 'AT', represents: 'BY', latitude: 48.2, longitude: 16.27, timezone: 'Europe/Vienna' }).returning('*');

  const other = await signedIn();
  const form = await other.agent.get('/organise/events/new?venue_q=vienna');
  expect(form.text).not.toContain('Corner by the bakery');
  expect(form.text).toContain('Embassy of Belarus in Austria');
  const search = await other.agent.get('/organise/places/search?city=Vienna&country=AT').set('Accept', 'application/json');
  expect(search.body.results.map((r: { name: string }) => r.name)).toEqual(['Embassy of Belarus in Austria']);
  expect((await other.agent.get('/organise/places/search?q=bakery').set('Accept', 'application/json')).body.results).toEqual([]);

  // Its id typed into the form is as unknown as a wrong one.
  const used = await other.agent.post('/organise/events').type('form').send({ _csrf: csrfFrom(form.text), ...picket({ title: 'Borrowed place', venue_id: String(place.id) }) });
  expect(used.status).toBe(400);
  expect(used.text).toContain('id="field-venue_id-error"');
  expect(await db()('events').where({ title: 'Borrowed place' })).toHaveLength(0);

  const edit = { kind: 'other', name: 'Taken over', address: '', city: 'Vienna', country: 'AT', represents: '', latitude: '48.2', longitude: '16.3', timezone: '' };
  expect((await other.agent.get(`/organise/places/${place.id}`)).status).toBe(403);
  expect((await submitForm(other.agent, '/organise/places', `/organise/places/${place.id}`, edit)).status).toBe(403);
  expect((await owner.agent.get(`/organise/places/${shared.id}`)).status).toBe(403);
  expect((await submitForm(owner.agent, '/organise/places', `/organise/places/${shared.id}`, edit)).status).toBe(403);
  expect((await db()('venues').where({ id: place.id }).first()).name).toBe('Corner by the bakery');
  expect((await db()('venues').where({ id: shared.id }).first()).name).toBe('Embassy of Belarus in Austria');
  expect((await owner.agent.get('/organise/places/999999')).status).toBe(404);

  // The owner changes their own place: a bad value keeps the input, a good one is saved.
  const bad = await submitForm(owner.agent, `/organise/places/${place.id}`, `/organise/places/${place.id}`, { ...edit, name: 'Corner by the bakery', latitude: 'north' });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('value="north"');
  expect(bad.text).toContain('id="field-latitude-error"');
  const good = await submitForm(owner.agent, `/organise/places/${place.id}`, `/organise/places/${place.id}`, { ...edit, name: 'Corner by the old bakery' });
  expect(good.status).toBe(303);
  expect(await db()('venues').where({ id: place.id }).first()).toMatchObject({ name: 'Corner by the old bakery', owner_id: owner.user.id });

  // An admin may change anyone's place, and sees whose it is in the directory; it stays theirs.
  const admin = await signedIn('admin');
  expect((await admin.agent.get('/admin/venues')).text).toContain(owner.user.name);
  const fixed = await submitForm(admin.agent, `/admin/venues/${place.id}`, `/admin/venues/${place.id}`, { ...edit, name: 'Bakery corner' });
  expect(fixed.status).toBe(303);
  expect(await db()('venues').where({ id: place.id }).first()).toMatchObject({ name: 'Bakery corner', owner_id: owner.user.id });
});

test('names: one per city among a person’s own places, none copying the directory, and no clash between organisers', async () => {
  await db()('venues').insert({ kind: 'embassy', name: 'Embassy of Belarus in Czechia', address: '', city: 'Prague', country: 'CZ', represents: 'BY', latitude: 50.09, longitude: 14.4, timezone: 'Europe/Prague' });
  const prague = { address: 'Náměstí 1', city: 'Prague', country: 'CZ', latitude: '50.087', longitude: '14.421' };
  const first = await signedIn();
  const second = await signedIn();
  const made = await saveThisPlace(first.agent, picket({ ...prague, place_name: 'Old town square' }));
  expect([...made.text.matchAll(/id="field-(\w+)-error">([^<]+)</g)].map((m) => m.slice(1))).toEqual([]);
  expect((await saveThisPlace(second.agent, picket({ ...prague, place_name: 'Old town square' }))).status).toBe(200);
  expect(await db()('venues').where({ name: 'Old town square' })).toHaveLength(2);

  const again = await saveThisPlace(first.agent, picket({ ...prague, place_name: 'Old town square' }));
  expect(again.status).toBe(400);
  expect(again.text).toContain('A place with this name already exists in this city');
  const copy = await saveThisPlace(first.agent, picket({ ...prague, place_name: 'Embassy of Belarus in Czechia', place_kind: 'embassy', place_represents: 'BY' }));
  expect(copy.status).toBe(400);
  expect(copy.text).toContain('This place is already in the directory: choose it from the list of places');
  expect(await db()('venues').where({ name: 'Embassy of Belarus in Czechia' })).toHaveLength(1);
});

test('the place search asks for something to search, and is for signed-in organisers only', async () => {
  const { agent } = await signedIn();
  const bad = await agent.get('/organise/places/search?q=a&country=ZZ').set('Accept', 'application/json');
  expect(bad.status).toBe(400);
  expect(Object.keys(bad.body.fields).sort()).toEqual(['country', 'q']);
  const empty = await agent.get('/organise/places/search').set('Accept', 'application/json');
  expect(empty.status).toBe(400);
  expect(Object.keys(empty.body.fields)).toEqual(['q']);
  const anonymous = await request(h.app).get('/organise/places/search?q=embassy');
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.location).toMatch(/^\/login/);
});

test('public caches are emptied when a shared place changes, not when an organiser adds one of their own', async () => {
  const listener = new Client({ connectionString: h.database.url });
  await listener.connect();
  const heard: string[] = [];
  listener.on('notification', (n) => heard.push(String(n.payload)));
  await listener.query('listen picket_changes');
  // A round trip through the listener's own connection: every notification committed before it has arrived.
  const settle = async () => {
    await listener.query(`select pg_notify('picket_changes', 'mark')`);
    await new Promise<void>((resolve) => { const check = () => (heard.includes('mark') ? resolve() : setTimeout(check, 20)); check(); });
    // Only what drops every cache ('g'); the app's own round trips ('sync:…') are not about places.
    const said = heard.filter((p) => p === 'g');
    heard.length = 0;
    return said;
  };
  try {
    const { agent } = await signedIn();
    expect((await saveThisPlace(agent, picket({ city: 'Graz', latitude: '47.07', longitude: '15.44', place_name: 'Hauptplatz fountain' }))).status).toBe(200);
    expect(await settle()).toEqual([]);
    const admin = await signedIn('admin');
    const res = await submitForm(admin.agent, '/admin/venues/new', '/admin/venues', {
      kind: 'consulate', name: 'Consulate in Graz', address: '', city: 'Graz', country: 'AT', represents: 'BY', latitude: '47.07', longitude: '15.43', timezone: '',
    });
    expect(res.status).toBe(303);
    expect((await settle()).length).toBeGreaterThan(0);
  } finally {
    await listener.end();
  }
});

test('a visitor proposing a picket chooses from the shared directory only: an organiser’s own place is neither offered nor accepted', async () => {
  const owner = await signedIn();
  await saveThisPlace(owner.agent, picket({ city: 'Linz', latitude: '48.306', longitude: '14.286', place_name: 'Linz back yard' }));
  const place = await db()('venues').where({ name: 'Linz back yard' }).first();
  const campaign = await buildCampaign(db(), owner.user, { title: 'Open call' });
  await db()('campaigns').where({ id: campaign.id }).update({ proposals_open: true });

  const form = await request(h.app).get(`/campaigns/${campaign.slug}/host?venue_q=linz`);
  expect(form.status).toBe(200);
  expect(form.text).not.toContain('Linz back yard');
  const start = DateTime.now().setZone('Europe/Vienna').plus({ weeks: 1 }).set({ hour: 18, minute: 0 });
  const proposed = await request(h.app).post(`/campaigns/${campaign.slug}/host`).type('form').send({
    title: 'Picket in Linz', description: '', venue_id: String(place.id), address: '', city: '', country: '', latitude: '', longitude: '', timezone: '',
    starts_local: start.toFormat("yyyy-MM-dd'T'HH:mm"), ends_local: start.plus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm"),
    capacity: '', meeting_point: '', host_name: 'Linz group', host_email: 'linz@picket.test', website: '',
  });
  expect(proposed.status).toBe(400);
  expect(proposed.text).toMatch(/id="field-venue_id-error"/);
});
