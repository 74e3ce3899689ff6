// Times across zones and DST, the iCalendar file, the JSON API, and the private meeting point.
import request from 'supertest';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildCampaign, buildDemand, buildEvent, buildUser } from './support/factories';
// node-ical ships CommonJS; its sync parser turns a calendar back into events with real instants.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ical = require('node-ical');

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});
const db = () => h.database.db;

async function organiser() {
  const user = await buildUser(db());
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return { user, agent };
}

const places = {
  London: { city: 'London', country: 'GB', latitude: '51.5009', longitude: '-0.1887' },
  Almaty: { city: 'Almaty', country: 'KZ', latitude: '43.2380', longitude: '76.9450' },
  'New York': { city: 'New York', country: 'US', latitude: '40.7505', longitude: '-73.9680' },
  Sydney: { city: 'Sydney', country: 'AU', latitude: '-33.8688', longitude: '151.2093' },
};

describe('local times in four zones, across daylight-saving changes', () => {
  test.each([
    ['London in summer (BST)', 'London', 'Europe/London', '2026-07-01T12:00', '2026-07-01T11:00:00.000Z', '+01:00'],
    ['London in winter (GMT)', 'London', 'Europe/London', '2026-12-16T12:00', '2026-12-16T12:00:00.000Z', '+00:00'],
    ['Almaty (no DST, UTC+5)', 'Almaty', 'Asia/Almaty', '2026-12-16T12:00', '2026-12-16T07:00:00.000Z', '+05:00'],
    ['New York the morning clocks go forward', 'New York', 'America/New_York', '2026-03-08T03:30', '2026-03-08T07:30:00.000Z', '-04:00'],
    ['New York in winter', 'New York', 'America/New_York', '2026-11-02T12:00', '2026-11-02T17:00:00.000Z', '-05:00'],
    ['Sydney the day clocks go back (AEST)', 'Sydney', 'Australia/Sydney', '2026-04-05T12:00', '2026-04-05T02:00:00.000Z', '+10:00'],
    ['Sydney in summer (AEDT)', 'Sydney', 'Australia/Sydney', '2026-12-16T12:00', '2026-12-16T01:00:00.000Z', '+11:00'],
  ])('%s: the wall-clock time typed is the time stored, shown and exported', async (_name, city, zone, local, utc, offset) => {
    const { agent } = await organiser();
    const [day, hm] = local.split('T');
    const endLocal = `${day}T${String(Number(hm.slice(0, 2)) + 2).padStart(2, '0')}${hm.slice(2)}`;
    const res = await submitForm(agent, '/organise/events/new', '/organise/events', {
      kind: 'vigil', title: `Vigil ${zone} ${local}`, ...places[city as keyof typeof places], timezone: '',
      starts_local: local, ends_local: endLocal,
    });
    expect(res.status).toBe(303);
    const id = Number(res.headers.location.split('/').pop());
    const row = await db()('events').where({ id }).first();
    expect(row.timezone).toBe(zone); // derived from the point on the map
    expect(row.starts_at.toISOString()).toBe(utc);
    await db()('events').where({ id }).update({ status: 'published' });

    const edit = await agent.get(`/organise/events/${id}/edit`);
    expect(edit.text).toContain(`value="${local}"`);
    const page = await request(h.app).get(`/events/${id}`).redirects(1);
    expect(page.text).toContain(`datetime="${local}:00${offset}"`);
    const api = await request(h.app).get('/api/events?per_page=100');
    const item = api.body.events.find((e: { id: number }) => e.id === id);
    expect(item.starts_at).toBe(`${local}:00${offset}`);
    expect(item.timezone).toBe(zone);
    const parsed = ical.sync.parseICS((await request(h.app).get(`/events/${id}.ics`)).text);
    const vevent = Object.values(parsed).find((c: any) => c.type === 'VEVENT') as any;
    expect(vevent.start.toISOString()).toBe(utc);
    expect(vevent.start.tz).toBe(zone);
    expect(vevent.end.getTime() - vevent.start.getTime()).toBe(2 * 3600_000);
  });

  test.each([
    ['New York', 'America/New_York', '2026-03-08T02:30'],
    ['Sydney', 'Australia/Sydney', '2026-10-04T02:15'],
    ['London', 'Europe/London', '2026-03-29T01:00'],
  ])('a time skipped when clocks go forward in %s is refused with a message', async (city, zone, local) => {
    const { agent } = await organiser();
    const res = await submitForm(agent, '/organise/events/new', '/organise/events', {
      kind: 'picket', title: 'Gap', ...places[city as keyof typeof places], timezone: zone, starts_local: local, ends_local: `${local.slice(0, 11)}05:00`,
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('This time does not exist in this time zone');
    expect(await db()('events').where({ title: 'Gap' }).first()).toBeUndefined();
  });

  test('a picket across the night the clocks go forward lasts the real hours', async () => {
    const { agent } = await organiser();
    const res = await submitForm(agent, '/organise/events/new', '/organise/events', {
      kind: 'vigil', title: 'All-night vigil', ...places.London, timezone: 'Europe/London',
      starts_local: '2026-03-28T22:00', ends_local: '2026-03-29T06:00',
    });
    expect(res.status).toBe(303);
    const row = await db()('events').where({ title: 'All-night vigil' }).first();
    expect((row.ends_at.getTime() - row.starts_at.getTime()) / 3600_000).toBe(7);
  });
});

describe('GET /api/events', () => {
  let campaignSlug: string;
  beforeAll(async () => {
    const owner = await buildUser(db());
    const campaign = await buildCampaign(db(), owner, { slug: 'api-campaign' });
    campaignSlug = campaign.slug;
    const demand = await buildDemand(db(), campaign, { text: 'Release the API five' });
    for (let i = 0; i < 5; i++) {
      const e = await buildEvent(db(), owner, {
        title: `API picket ${i}`, campaign_id: campaign.id, country: i % 2 ? 'DE' : 'FR', city: i % 2 ? 'Berlin' : 'Paris',
        timezone: 'Europe/Paris', starts_at: new Date(Date.UTC(2031, 0, 10 + i, 11)), ends_at: new Date(Date.UTC(2031, 0, 10 + i, 13)),
      });
      await db()('event_demands').insert({ event_id: e.id, demand_id: demand.id });
    }
    await buildEvent(db(), owner, { title: 'API draft', status: 'draft', campaign_id: campaign.id, starts_at: new Date(Date.UTC(2031, 0, 12, 11)) });
  });

  test('filters by campaign, country and dates, and pages with a total and a next link', async () => {
    const all = await request(h.app).get(`/api/events?campaign=${campaignSlug}`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(5);
    expect(all.body.events.map((e: { title: string }) => e.title)).not.toContain('API draft');
    expect(all.body.events[0]).toMatchObject({ title: 'API picket 0', starts_at: '2031-01-10T12:00:00+01:00', timezone: 'Europe/Paris',
      campaign: { slug: campaignSlug }, demands: [{ text: 'Release the API five' }] });

    const germany = await request(h.app).get(`/api/events?campaign=${campaignSlug}&country=de`);
    expect(germany.body.events.map((e: { title: string }) => e.title)).toEqual(['API picket 1', 'API picket 3']);

    const window = await request(h.app).get(`/api/events?campaign=${campaignSlug}&from=2031-01-11&to=2031-01-13`);
    expect(window.body.events.map((e: { title: string }) => e.title)).toEqual(['API picket 1', 'API picket 2', 'API picket 3']);

    const page1 = await request(h.app).get(`/api/events?campaign=${campaignSlug}&per_page=2`);
    expect(page1.body).toMatchObject({ page: 1, per_page: 2, total: 5 });
    expect(page1.body.events).toHaveLength(2);
    const next = new URL(page1.body.next);
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('campaign')).toBe(campaignSlug);
    const page3 = await request(h.app).get(`/api/events?campaign=${campaignSlug}&per_page=2&page=3`);
    expect(page3.body.events.map((e: { title: string }) => e.title)).toEqual(['API picket 4']);
    expect(page3.body.next).toBeNull();
  });

  test.each([
    ['from=yesterday', 'from'],
    ['to=2031-13-45', 'to'],
    ['country=XX', 'country'],
    ['page=0', 'page'],
    ['per_page=1000', 'per_page'],
    ['campaign=%3Cscript%3E', 'campaign'],
  ])('?%s is a 400 naming %s', async (query, param) => {
    const res = await request(h.app).get(`/api/events?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(Object.keys(res.body.fields)).toEqual([param]);
  });
});

describe('a private meeting point', () => {
  test('never reaches the public page, the API or the iCalendar file; the point is rounded to about a kilometre', async () => {
    const owner = await buildUser(db(), { email: 'olga.secret@picket.test' });
    const event = await buildEvent(db(), owner, {
      title: 'Quiet picket', city: 'Vilnius', country: 'LT', timezone: 'Europe/Vilnius', address: '15 Secret Street',
      meeting_point_private: true, meeting_point: 'Behind the blue kiosk', latitude: 54.687156, longitude: 25.279651,
      contact_text: 'Signal group via the campaign',
    });
    const page = await request(h.app).get(`/events/${event.id}`).redirects(1);
    const api = await request(h.app).get('/api/events?country=LT');
    const ics = await request(h.app).get(`/events/${event.id}.ics`);
    for (const text of [page.text, JSON.stringify(api.body), ics.text]) {
      expect(text).toContain('Vilnius');
      expect(text).not.toContain('Secret Street');
      expect(text).not.toContain('blue kiosk');
      expect(text).not.toContain('54.687156');
      expect(text).not.toContain('25.279651');
      expect(text).not.toContain('olga.secret');
    }
    expect(page.text).toContain('data-lat="54.69"');
    expect(page.text).toContain('The exact meeting point is shared only with people who say they are coming');
    expect(api.body.events[0].place).toMatchObject({ latitude: 54.69, longitude: 25.28, approximate: true, address: '' });
    const vevent = Object.values(ical.sync.parseICS(ics.text)).find((c: any) => c.type === 'VEVENT') as any;
    expect(vevent.geo).toEqual({ lat: 54.69, lon: 25.28 });
    expect(vevent.location).toBe('Vilnius, LT');
    expect(ics.headers['content-type']).toMatch(/text\/calendar/);
  });

  test('a public meeting point is shown in full', async () => {
    const owner = await buildUser(db());
    const event = await buildEvent(db(), owner, { title: 'Open picket', address: '6 Kensington Court', meeting_point: 'By the gate' });
    const page = await request(h.app).get(`/events/${event.id}`).redirects(1);
    expect(page.text).toContain('6 Kensington Court');
    expect(page.text).toContain('By the gate');
    expect(page.text).not.toContain(owner.email);
  });
});

describe('lists', () => {
  test('past pickets are listed apart from upcoming ones; cancelled ones stay on record', async () => {
    const owner = await buildUser(db());
    await buildEvent(db(), owner, { title: 'Long ago picket', starts_at: new Date('2025-01-10T10:00:00Z'), ends_at: new Date('2025-01-10T12:00:00Z') });
    await buildEvent(db(), owner, { title: 'Long ago draft', status: 'draft', starts_at: new Date('2025-01-11T10:00:00Z'), ends_at: new Date('2025-01-11T12:00:00Z') });
    await buildEvent(db(), owner, { title: 'Future picket', starts_at: new Date(Date.now() + 30 * 86400_000) });
    const past = await request(h.app).get('/events/past');
    expect(past.status).toBe(200);
    expect(past.text).toContain('Long ago picket');
    expect(past.text).not.toContain('Long ago draft');
    expect(past.text).not.toContain('Future picket');
    const home = await request(h.app).get('/');
    expect(home.text).toContain('Future picket');
    expect(home.text).not.toContain('Long ago picket');
    expect((await request(h.app).get('/past')).headers.location).toBe('/events/past');
  });
});

describe('an anonymous visitor', () => {
  test('reading an event page gets no session (no cookie, no session row)', async () => {
    const owner = await buildUser(db());
    const event = await buildEvent(db(), owner, { title: 'Sessionless picket' });
    const before = await db()('session').count({ n: '*' }).first();
    const page = await request(h.app).get(`/events/${event.id}-${event.slug}`);
    expect(page.status).toBe(200);
    expect(String(page.headers['set-cookie'] ?? '')).not.toContain('picket.sid');
    expect(await db()('session').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('the iCalendar file names its zones', () => {
  /** RFC 5545 3.2.19: every TZID a time refers to must have its VTIMEZONE in the same file. */
  function zonesReferredTo(text: string) {
    const referred = [...new Set([...text.matchAll(/;TZID=([^:;]+)[:;]/g)].map((m) => m[1]))];
    const defined = [...text.matchAll(/BEGIN:VTIMEZONE\r\nTZID:([^\r\n]+)/g)].map((m) => m[1]);
    return { referred, defined };
  }

  test('a summer picket in London: BST and GMT observances under the event’s own zone name', async () => {
    const owner = await buildUser(db());
    const event = await buildEvent(db(), owner, { title: 'Summer picket', timezone: 'Europe/London', starts_at: new Date('2031-07-01T11:00:00Z') });
    const text = (await request(h.app).get(`/events/${event.id}.ics`)).text;
    expect(text).toContain('DTSTART;TZID=Europe/London:20310701T120000');
    expect(zonesReferredTo(text)).toEqual({ referred: ['Europe/London'], defined: ['Europe/London'] });
    const block = /BEGIN:VTIMEZONE[\s\S]*?END:VTIMEZONE/.exec(text)![0];
    expect(block).toMatch(/BEGIN:DAYLIGHT\r\nTZNAME:BST\r\nTZOFFSETFROM:\+0000\r\nTZOFFSETTO:\+0100\r\n/);
    expect(block).toMatch(/BEGIN:STANDARD\r\nTZNAME:GMT\r\nTZOFFSETFROM:\+0100\r\nTZOFFSETTO:\+0000\r\n/);
    expect(block).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU'); // clocks go forward on the last Sunday of March
    const vevent = Object.values(ical.sync.parseICS(text)).find((c: any) => c.type === 'VEVENT') as any;
    expect(vevent.start.toISOString()).toBe('2031-07-01T11:00:00.000Z');
  });

  test('a campaign feed across zones, one of them under an old name (Europe/Kiev), defines every zone it uses', async () => {
    const owner = await buildUser(db());
    const campaign = await buildCampaign(db(), owner, { slug: 'zones-campaign' });
    const zones = { 'Europe/Kiev': '2031-03-30T10:00:00Z', 'America/New_York': '2031-11-02T17:00:00Z', 'Asia/Almaty': '2031-12-16T07:00:00Z' };
    for (const [timezone, start] of Object.entries(zones)) {
      await buildEvent(db(), owner, { campaign_id: campaign.id, title: `Picket ${timezone}`, timezone, starts_at: new Date(start) });
    }
    const text = (await request(h.app).get('/campaigns/zones-campaign.ics')).text;
    const { referred, defined } = zonesReferredTo(text);
    expect(referred.sort()).toEqual(Object.keys(zones).sort());
    expect(defined.sort()).toEqual(referred.sort());
    const vevents = Object.values(ical.sync.parseICS(text)).filter((c: any) => c.type === 'VEVENT') as any[];
    expect(vevents.map((v) => v.start.toISOString()).sort()).toEqual(Object.values(zones).map((z) => new Date(z).toISOString()).sort());
  });
});
