import request from 'supertest';
import { DateTime } from 'luxon';
import { createHarness, Harness, logIn, submitForm, csrfFrom } from './support/harness';
import { buildCampaign, buildDemand, buildEvent, buildUser } from './support/factories';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const db = () => h.database.db;

async function organiser(role: 'organiser' | 'admin' = 'organiser') {
  const user = await buildUser(db(), { role });
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return { user, agent };
}

function picketForm(overrides: Record<string, string | string[]> = {}) {
  return {
    kind: 'picket', title: 'Picket outside the embassy in London', description: 'Bring **banners**.',
    address: '6 Kensington Court', city: 'London', country: 'GB', latitude: '51.5009', longitude: '-0.1887',
    timezone: 'Europe/London', starts_local: '2026-12-16T12:00', ends_local: '2026-12-16T14:00',
    contact_text: 'Ask for Olga at the gate', ...overrides,
  };
}

describe('an organiser creates, publishes and cancels a picket', () => {
  test('a new picket is a draft, invisible to the public until published; cancelling keeps the page with a notice', async () => {
    const { user, agent } = await organiser();
    const campaign = await buildCampaign(db(), user, { title: 'Free the Five' });
    const release = await buildDemand(db(), campaign, { text: 'Release Ales' });
    const drop = await buildDemand(db(), campaign, { kind: 'drop_charges', text: 'Drop the charges against Maria' });

    const form = await agent.get('/organise/events/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Release Ales');
    const created = await agent.post('/organise/events').type('form').send({
      _csrf: csrfFrom(form.text), ...picketForm({ campaign_id: String(campaign.id), demand_ids: [String(release.id), String(drop.id)] }),
    });
    expect(created.status).toBe(303);
    const id = Number(/\/organise\/events\/(\d+)$/.exec(created.headers.location)![1]);
    const stored = await db()('events').where({ id }).first();
    expect(stored).toMatchObject({ status: 'draft', owner_id: user.id, timezone: 'Europe/London', campaign_id: campaign.id });
    expect(stored.starts_at.toISOString()).toBe('2026-12-16T12:00:00.000Z');
    expect((await db()('event_demands').where({ event_id: id })).length).toBe(2);

    // Drafts: 404 for the public, absent from the front page and the API.
    expect((await request(h.app).get(`/events/${id}`)).status).toBe(404);
    expect((await request(h.app).get(`/events/${id}.ics`)).status).toBe(404);
    expect((await request(h.app).get('/')).text).not.toContain('Picket outside the embassy in London');
    expect((await request(h.app).get('/api/events')).body.events.map((e: { id: number }) => e.id)).not.toContain(id);
    // The owner sees a preview.
    const preview = await agent.get(`/events/${id}`).redirects(1);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('This is a draft');

    const manage = await agent.get(`/organise/events/${id}`);
    const published = await agent.post(`/organise/events/${id}/publish`).type('form').send({ _csrf: csrfFrom(manage.text) });
    expect(published.status).toBe(303);

    const page = await request(h.app).get(`/events/${id}`);
    expect(page.status).toBe(301);
    expect(page.headers.location).toBe(`/events/${id}-picket-outside-the-embassy-in-london`);
    const canonical = await request(h.app).get(page.headers.location);
    expect(canonical.status).toBe(200);
    expect(canonical.text).toContain('Picket outside the embassy in London');
    expect(canonical.text).toContain('<strong>banners</strong>');
    expect(canonical.text).toContain('Release Ales');
    expect(canonical.text).toContain('Drop the charges against Maria');
    expect(canonical.text).toContain('Ask for Olga at the gate');
    expect(canonical.text).toContain('16 December 2026, 12:00–14:00 (London time)');
    expect(canonical.text).toContain('12:00');
    expect(canonical.text).toContain('datetime="2026-12-16T12:00:00+00:00"');
    expect(canonical.text).toContain('data-local-time');
    expect((await request(h.app).get('/')).text).toContain('Picket outside the embassy in London');

    const cancelled = await agent.post(`/organise/events/${id}/cancel`).type('form').send({ _csrf: csrfFrom(manage.text) });
    expect(cancelled.status).toBe(303);
    const after = await request(h.app).get(page.headers.location);
    expect(after.status).toBe(200);
    expect(after.text).toContain('This event has been cancelled');
    expect((await db()('events').where({ id }).first()).cancelled_at).not.toBeNull();
  });

  test('editing changes what the public sees; a draft can be deleted but a published picket cannot', async () => {
    const { user, agent } = await organiser();
    const draft = await buildEvent(db(), user, { status: 'draft', title: 'Vigil draft' });
    const edited = await submitForm(agent, `/organise/events/${draft.id}/edit`, `/organise/events/${draft.id}`,
      picketForm({ title: 'Vigil in Paris', city: 'Paris', country: 'FR', latitude: '48.8566', longitude: '2.3522', timezone: 'Europe/Paris', starts_local: '2026-12-16T18:00', ends_local: '2026-12-16T19:30' }));
    expect(edited.status).toBe(303);
    const row = await db()('events').where({ id: draft.id }).first();
    expect(row).toMatchObject({ title: 'Vigil in Paris', city: 'Paris', timezone: 'Europe/Paris', slug: 'vigil-in-paris' });
    expect(row.starts_at.toISOString()).toBe('2026-12-16T17:00:00.000Z');

    const published = await buildEvent(db(), user, { status: 'published' });
    const refused = await submitForm(agent, `/organise/events/${published.id}`, `/organise/events/${published.id}/delete`, {});
    expect(refused.status).toBe(400);
    expect(await db()('events').where({ id: published.id }).first()).toBeDefined();

    const deleted = await submitForm(agent, `/organise/events/${draft.id}`, `/organise/events/${draft.id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(await db()('events').where({ id: draft.id }).first()).toBeUndefined();
  });

  test('duplicating keeps the place and offers the same time a week later: a weekly vigil is two clicks', async () => {
    const { user, agent } = await organiser();
    // Last Wednesday 18:00 in London: the copy is next Wednesday (the first in the future), 18:00 again.
    const lastWeek = new Date(Date.now() - 3 * 24 * 3600_000);
    lastWeek.setUTCHours(18, 0, 0, 0);
    const source = await buildEvent(db(), user, { title: 'Weekly vigil', starts_at: lastWeek, ends_at: new Date(lastWeek.getTime() + 3600_000), meeting_point: 'By the gate' });
    const dup = await submitForm(agent, `/organise/events/${source.id}`, `/organise/events/${source.id}/duplicate`, {});
    const form = await agent.get(dup.headers.location);
    expect(form.text).toContain('6 Kensington Court');
    expect(form.text).toContain('value="By the gate"');
    const next = DateTime.fromJSDate(lastWeek, { zone: 'Europe/London' }).plus({ weeks: 1 });
    expect(form.text).toContain(`name="starts_local" value="${next.toFormat("yyyy-MM-dd'T'HH:mm")}"`);
    expect(form.text).toContain(`name="ends_local" value="${next.plus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm")}"`);
  });

  test('duplicating for the next capital: the organiser changes the place and the time, as a new draft', async () => {
    const { user, agent } = await organiser();
    const campaign = await buildCampaign(db(), user);
    const demand = await buildDemand(db(), campaign, { text: 'Release Ihar' });
    const source = await buildEvent(db(), user, { title: 'Day of action: London', campaign_id: campaign.id, contact_text: 'Find us by the flag' });
    await db()('event_demands').insert({ event_id: source.id, demand_id: demand.id });

    const dup = await submitForm(agent, `/organise/events/${source.id}`, `/organise/events/${source.id}/duplicate`, {});
    expect(dup.status).toBe(303);
    const form = await agent.get(dup.headers.location);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Day of action: London"');
    expect(form.text).toContain('Find us by the flag');
    expect(form.text).toMatch(new RegExp(`value="${demand.id}" checked`));

    const saved = await agent.post('/organise/events').type('form').send({
      _csrf: csrfFrom(form.text),
      ...picketForm({ title: 'Day of action: Berlin', campaign_id: String(campaign.id), demand_ids: String(demand.id), address: 'Am Treptower Park 32', city: 'Berlin', country: 'DE', latitude: '52.4907', longitude: '13.4722', timezone: '' }),
    });
    expect(saved.status).toBe(303);
    const copy = await db()('events').where({ title: 'Day of action: Berlin' }).first();
    expect(copy).toMatchObject({ status: 'draft', owner_id: user.id, campaign_id: campaign.id, timezone: 'Europe/Berlin' });
  });
});

describe('bad input re-renders the form with one message per field and stores nothing', () => {
  test.each([
    ['missing title', { title: '' }, 'title', 'This field is required'],
    ['end before start', { ends_local: '2026-12-16T11:00' }, 'ends_local', 'The end must be after the start'],
    ['a time skipped by the clocks going forward', { starts_local: '2026-03-29T01:30', ends_local: '2026-03-29T03:00' }, 'starts_local', 'This time does not exist in this time zone'],
    ['unknown time zone', { timezone: 'Europe/Atlantis' }, 'timezone', 'Unknown time zone'],
    ['latitude out of range', { latitude: '91' }, 'latitude', 'Latitude must be a number between -90 and 90'],
    ['longitude out of range', { longitude: '-180.5' }, 'longitude', 'Longitude must be a number between -180 and 180'],
    ['over-long title', { title: 'x'.repeat(201) }, 'title', 'This is too long'],
    ['over-long contact', { contact_text: 'y'.repeat(1001) }, 'contact_text', 'This is too long'],
    ['unknown campaign', { campaign_id: '999999' }, 'campaign_id', 'Choose one of the campaigns in the list'],
  ])('%s', async (_name, overrides, field, message) => {
    const { agent } = await organiser();
    const before = await db()('events').count({ n: '*' }).first();
    const res = await submitForm(agent, '/organise/events/new', '/organise/events', picketForm(overrides as Record<string, string>));
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain(`id="field-${field}-error"`);
    if (!('title' in overrides)) expect(res.text).toContain('value="Picket outside the embassy in London"');
    expect(await db()('events').count({ n: '*' }).first()).toEqual(before);
  });

  test('a demand of another campaign is refused', async () => {
    const { user, agent } = await organiser();
    const mine = await buildCampaign(db(), user);
    const other = await buildCampaign(db(), user);
    const foreign = await buildDemand(db(), other);
    const res = await submitForm(agent, '/organise/events/new', '/organise/events',
      picketForm({ campaign_id: String(mine.id), demand_ids: String(foreign.id) }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Choose demands of the chosen campaign only');
    expect(await db()('events').where({ campaign_id: mine.id }).first()).toBeUndefined();
  });
});

describe('two organisers', () => {
  test("cannot see the other's drafts, edit, publish, cancel or delete their pickets, even with forged fields", async () => {
    const alice = await organiser();
    const bob = await organiser();
    const draft = await buildEvent(db(), alice.user, { status: 'draft', title: 'Alice draft' });
    const live = await buildEvent(db(), alice.user, { status: 'published', title: 'Alice live' });
    const page = await bob.agent.get('/organise');
    const csrf = csrfFrom(page.text);

    expect((await bob.agent.get(`/organise/events/${draft.id}`)).status).toBe(403);
    expect((await bob.agent.get(`/organise/events/${draft.id}/edit`)).status).toBe(403);
    expect((await bob.agent.get(`/events/${draft.id}`)).status).toBe(404);
    expect((await bob.agent.get(`/organise/events/new?duplicate=${draft.id}`)).status).toBe(403);
    const forged = { _csrf: csrf, ...picketForm({ title: 'Taken over' }), owner_id: String(bob.user.id) };
    expect((await bob.agent.post(`/organise/events/${live.id}`).type('form').send(forged)).status).toBe(403);
    for (const action of ['publish', 'cancel', 'delete', 'duplicate']) {
      expect((await bob.agent.post(`/organise/events/${draft.id}/${action}`).type('form').send({ _csrf: csrf, owner_id: String(bob.user.id) })).status).toBe(403);
      expect((await bob.agent.post(`/organise/events/${live.id}/${action}`).type('form').send({ _csrf: csrf })).status).toBe(403);
    }
    expect(await db()('events').where({ id: draft.id }).first()).toMatchObject({ status: 'draft', owner_id: alice.user.id, title: 'Alice draft' });
    expect(await db()('events').where({ id: live.id }).first()).toMatchObject({ status: 'published', owner_id: alice.user.id, title: 'Alice live' });

    // A forged owner on creation is ignored: the picket belongs to whoever creates it.
    const res = await bob.agent.post('/organise/events').type('form').send({ ...forged, title: 'Bob picket' });
    expect(res.status).toBe(303);
    expect((await db()('events').where({ title: 'Bob picket' }).first()).owner_id).toBe(bob.user.id);

    // The dashboard lists one's own pickets only; an admin sees everyone's.
    const dash = await bob.agent.get('/organise');
    expect(dash.text).toContain('Bob picket');
    expect(dash.text).not.toContain('Alice draft');
    const admin = await organiser('admin');
    const adminDash = await admin.agent.get('/organise');
    expect(adminDash.text).toContain('Alice draft');
    expect(adminDash.text).toContain('Bob picket');
    expect((await admin.agent.get(`/organise/events/${draft.id}/edit`)).status).toBe(200);
  });

  test('an unknown event is 404 for an organiser and a visitor', async () => {
    const { agent } = await organiser();
    expect((await agent.get('/organise/events/987654')).status).toBe(404);
    expect((await request(h.app).get('/events/987654')).status).toBe(404);
    expect((await request(h.app).get('/events/not-a-number')).status).toBe(404);
  });
});

describe('what visitors and attendees notice', () => {
  test('moving a published picket tells the people who said they are coming', async () => {
    const { user, agent } = await organiser();
    const event = await buildEvent(db(), user, { title: 'Picket to be moved', starts_at: new Date('2031-06-01T11:00:00Z'), ends_at: new Date('2031-06-01T13:00:00Z') });
    const visitor = request.agent(h.app);
    const rsvp = await submitForm(visitor, `/events/${event.id}-${event.slug}`, `/events/${event.id}/rsvp`, { name: 'Ana', email: 'ana@picket.test', role: 'attendee' });
    expect(rsvp.status).toBeLessThan(400);
    await h.runJobs();
    const before = h.smtp.messages.length;

    const moved = await submitForm(agent, `/organise/events/${event.id}/edit`, `/organise/events/${event.id}`,
      picketForm({ title: 'Picket to be moved', starts_local: '2031-06-01T15:00', ends_local: '2031-06-01T17:00' }));
    expect(moved.status).toBe(303);
    await h.runJobs();
    const mail = h.smtp.messages.slice(before).find((m) => JSON.stringify(m).includes('ana@picket.test'));
    expect(mail).toBeDefined();
  });

  test('text from organisers is escaped and Markdown is sanitised', async () => {
    const { user } = await organiser();
    const event = await buildEvent(db(), user, {
      title: '<img src=x onerror=alert(1)> Picket', description: 'Hello <script>alert(1)</script> [link](javascript:alert(1)) **bold**',
      contact_text: '<b>call</b>',
    });
    const page = await request(h.app).get(`/events/${event.id}`).redirects(1);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt; Picket');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).not.toContain('href="javascript');
    expect(page.text).toContain('<strong>bold</strong>');
    expect(page.text).toContain('&lt;b&gt;call&lt;/b&gt;');
  });

  test('choosing a venue from the directory takes its address, point and time zone', async () => {
    const { agent } = await organiser();
    const [venue] = await db()('venues').insert({
      kind: 'embassy', name: 'Embassy in Almaty', address: '1 Embassy Street', city: 'Almaty', country: 'KZ',
      represents: 'BY', latitude: 43.238, longitude: 76.945, timezone: 'Asia/Almaty',
    }).returning('*');
    const res = await submitForm(agent, '/organise/events/new', '/organise/events', picketForm({
      title: 'Almaty embassy picket', venue_id: String(venue.id), address: '', city: '', country: '', latitude: '', longitude: '', timezone: '',
      starts_local: '2026-12-16T12:00', ends_local: '2026-12-16T13:00',
    }));
    expect(res.status).toBe(303);
    const row = await db()('events').where({ title: 'Almaty embassy picket' }).first();
    expect(row).toMatchObject({ venue_id: venue.id, city: 'Almaty', country: 'KZ', timezone: 'Asia/Almaty', address: '1 Embassy Street' });
    expect(row.starts_at.toISOString()).toBe('2026-12-16T07:00:00.000Z');

    const unknown = await submitForm(agent, '/organise/events/new', '/organise/events', picketForm({ venue_id: '99999' }));
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Choose a place from the list');
  });
});

describe('in other languages', () => {
  test.each([
    ['fr', 'Revendications', 'Nouveau piquet'],
    ['de', 'Forderungen', 'Neue Aktion'],
    ['ru', 'Требования', 'Новый пикет'],
  ])('the event page and the event form read in %s', async (lang, demands, newTitle) => {
    const { user, agent } = await organiser();
    const campaign = await buildCampaign(db(), user);
    const demand = await buildDemand(db(), campaign);
    const event = await buildEvent(db(), user, { campaign_id: campaign.id, attendance_count: 3 });
    await db()('event_demands').insert({ event_id: event.id, demand_id: demand.id });
    const page = await request(h.app).get(`/events/${event.id}-${event.slug}`).set('Cookie', `lang=${lang}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(demands);
    const form = await agent.get('/organise/events/new').set('Cookie', `lang=${lang}`);
    expect(form.text).toContain(newTitle);
  });
});
