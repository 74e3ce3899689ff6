// A visitor reads a campaign: demands with how many pickets raise them, prisoners, pickets by
// country, the day-of-action board across time zones, and the calendar feed. Drafts never show.
import request from 'supertest';
import ical from 'node-ical';
import { fixedClock } from '../src/lib/clock';
import { createHarness, Harness } from './support/harness';
import { buildCampaign, buildDemand, buildEvent, buildUser } from './support/factories';

let h: Harness;
let slug: string;
let ownerEmail: string;
const ids: Record<string, number> = {};

beforeAll(async () => {
  h = await createHarness({ clock: fixedClock('2026-12-01T12:00:00Z') });
  const db = h.database.db;
  const owner = await buildUser(db, { name: 'Owner Person' });
  ownerEmail = owner.email;
  const campaign = await buildCampaign(db, owner, { title: 'Day of solidarity with Belarus', slug: 'belarus-day' });
  slug = campaign.slug;
  const [prisoner] = await db('prisoners').insert({ campaign_id: campaign.id, name: 'Maria Kalesnikava', status: 'sentenced', since: '2020-09-07', story: 'Flautist.' }).returning('*');
  const release = await buildDemand(db, campaign, { kind: 'release', text: 'Release Maria Kalesnikava', prisoner_id: prisoner.id });
  const charges = await buildDemand(db, campaign, { kind: 'drop_charges', text: 'Drop the charges against the strikers' });
  const other = await buildDemand(db, campaign, { kind: 'other', text: 'End the repression' });
  ids.release = release.id;
  ids.charges = charges.id;
  ids.other = other.id;

  const at = (iso: string) => new Date(iso);
  const picket = async (name: string, o: Parameters<typeof buildEvent>[2], demands: number[]) => {
    const e = await buildEvent(db, owner, { campaign_id: campaign.id, ...o });
    ids[name] = e.id;
    if (demands.length) await db('event_demands').insert(demands.map((d) => ({ event_id: e.id, demand_id: d })));
  };
  await picket('london', { title: 'London picket', city: 'London', country: 'GB', timezone: 'Europe/London', starts_at: at('2026-12-10T17:00:00Z'), action_status: 'confirmed' }, [release.id, charges.id]);
  await picket('londonPast', { title: 'London last month', city: 'London', country: 'GB', timezone: 'Europe/London', starts_at: at('2026-11-01T14:00:00Z'), action_status: 'letter_delivered' }, [release.id]);
  await picket('almaty', { title: 'Almaty picket', city: 'Almaty', country: 'KZ', timezone: 'Asia/Almaty', latitude: 43.238, longitude: 76.945, starts_at: at('2026-12-10T13:00:00Z') }, [release.id]);
  await picket('newYork', { title: 'New York picket', city: 'New York', country: 'US', timezone: 'America/New_York', latitude: 40.75, longitude: -73.97, starts_at: at('2026-12-10T17:00:00Z') }, [release.id]);
  await picket('sydney', { title: 'Sydney picket', city: 'Sydney', country: 'AU', timezone: 'Australia/Sydney', latitude: -33.87, longitude: 151.21, starts_at: at('2026-12-11T07:00:00Z') }, [release.id]);
  await picket('warsaw', { title: 'Warsaw picket', city: 'Warsaw', country: 'PL', timezone: 'Europe/Warsaw', latitude: 52.2, longitude: 21.0, starts_at: at('2026-12-12T11:00:00Z'), status: 'cancelled' }, [charges.id]);
  await picket('draft', { title: 'Secret draft in Paris', city: 'Paris', country: 'FR', timezone: 'Europe/Paris', latitude: 48.85, longitude: 2.35, starts_at: at('2026-12-10T16:00:00Z'), status: 'draft' }, [release.id, charges.id, other.id]);
  await picket('private', { title: 'Vilnius picket', city: 'Vilnius', country: 'LT', timezone: 'Europe/Vilnius', latitude: 54.6872, longitude: 25.2797, starts_at: at('2026-12-10T15:00:00Z'), meeting_point_private: true, address: 'Secret courtyard 7', meeting_point: 'behind the kiosk' }, []);
});
afterAll(async () => {
  await h.close();
});

function section(html: string, id: string, endMarker = '</section>'): string {
  const start = html.indexOf(`id="${id}"`);
  const end = html.indexOf(endMarker, start);
  return html.slice(start, end);
}

describe('the public campaign page', () => {
  test('counts, for each demand, the published pickets that raise it', async () => {
    const page = await request(h.app).get(`/campaigns/${slug}`);
    expect(page.status).toBe(200);
    const demands = section(page.text, 'demands');
    const countOf = (id: number) => new RegExp(`id="demand-${id}"[\\s\\S]*?data-count="(\\d+)"`).exec(demands)?.[1];
    // London (twice), Almaty, New York, Sydney; not the draft, not the cancelled Warsaw picket.
    expect(countOf(ids.release)).toBe('5');
    expect(countOf(ids.charges)).toBe('1');
    expect(countOf(ids.other)).toBe('0');
    expect(demands).toContain('5 pickets raise this');
    expect(demands).toContain('1 picket raises this');
    expect(demands).toContain('href="#prisoner-');
  });

  test('shows prisoners, and pickets grouped by country with the soonest first; drafts never', async () => {
    const page = await request(h.app).get(`/campaigns/${slug}`);
    expect(page.text).toContain('Maria Kalesnikava');
    expect(page.text).not.toContain('Secret draft');
    expect(page.text).not.toContain('Paris');
    expect(page.text).not.toContain('Owner Person');
    expect(page.text).not.toContain(ownerEmail);
    // The private meeting point keeps its address to itself.
    expect(page.text).not.toContain('Secret courtyard');
    expect(page.text).not.toContain('behind the kiosk');

    const pickets = section(page.text, 'pickets', '</article>');
    const order = [...pickets.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(order).toEqual(['Kazakhstan', 'Lithuania', 'United Kingdom', 'United States', 'Australia', 'Poland']);
    const uk = pickets.slice(pickets.indexOf('United Kingdom'), pickets.indexOf('United States'));
    expect(uk.indexOf('London picket')).toBeLessThan(uk.indexOf('London last month'));
    expect(uk).toContain('Past');
    expect(pickets).toMatch(/Warsaw picket<\/a>\s*<span class="badge badge-cancelled">Cancelled/);
  });

  test('the day-of-action board has one row per city with local time, the instant for the viewer, and status', async () => {
    const page = await request(h.app).get(`/campaigns/${slug}`);
    const board = section(page.text, 'day-of-action');
    const rows = [...board.matchAll(/<tr class="board-row[^"]*" data-event-id="(\d+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((r) => Number(r[1]))).toEqual([ids.almaty, ids.private, ids.london, ids.newYork, ids.sydney, ids.warsaw]);
    const row = (name: string) => rows.find((r) => Number(r[1]) === ids[name])![2];
    // Almaty: 13:00 UTC is 18:00 there.
    expect(row('almaty')).toContain('Thu 10 Dec, 18:00');
    expect(row('almaty')).toContain('UTC+05');
    expect(row('almaty')).toContain('<time datetime="2026-12-10T13:00:00.000Z" data-local-time="datetime">');
    // New York is in winter time (UTC-5): 17:00 UTC is 12:00 there.
    expect(row('newYork')).toContain('Thu 10 Dec, 12:00');
    expect(row('newYork')).toContain('UTC-05');
    // Sydney is in summer time (UTC+11): 07:00 UTC is 18:00 there, on 11 December.
    expect(row('sydney')).toContain('Fri 11 Dec, 18:00');
    expect(row('sydney')).toContain('UTC+11');
    // London shows its next picket (confirmed), not last month's.
    expect(row('london')).toContain('Thu 10 Dec, 17:00');
    expect(row('london')).toContain('Confirmed');
    expect(row('warsaw')).toContain('Cancelled');
    expect(board).not.toContain('Paris');
    expect(page.text).toContain('<script src="/public/js/local-time.js" defer></script>');
  });

  test('an unknown campaign is a 404, as is its feed', async () => {
    expect((await request(h.app).get('/campaigns/no-such-campaign')).status).toBe(404);
    expect((await request(h.app).get('/campaigns/no-such-campaign.ics')).status).toBe(404);
  });
});

describe('the campaign calendar feed', () => {
  test('lists the public pickets with their time zones and nothing personal', async () => {
    const res = await request(h.app).get(`/campaigns/${slug}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    const text = res.text;
    expect(text).not.toContain(ownerEmail);
    expect(text).not.toContain('Secret draft');
    expect(text).not.toContain('Secret courtyard');
    expect(text).toContain('X-WR-CALNAME:Day of solidarity with Belarus');
    expect(text).toMatch(/DTSTART;TZID=Asia\/Almaty:20261210T180000/);
    expect(text).toMatch(/BEGIN:VTIMEZONE\r\nTZID:Australia\/Sydney/);

    const parsed = ical.sync.parseICS(text);
    const events = Object.values(parsed).filter((c) => c?.type === 'VEVENT') as ical.VEvent[];
    expect(events.map((e) => String(e.summary)).sort()).toEqual([
      'Almaty picket', 'London last month', 'London picket', 'New York picket', 'Sydney picket', 'Vilnius picket', '[cancelled] Warsaw picket',
    ]);
    const byTitle = (t: string) => events.find((e) => String(e.summary) === t)!;
    expect(new Date(byTitle('Almaty picket').start).toISOString()).toBe('2026-12-10T13:00:00.000Z');
    expect(new Date(byTitle('Sydney picket').start).toISOString()).toBe('2026-12-11T07:00:00.000Z');
    expect(new Date(byTitle('New York picket').start).toISOString()).toBe('2026-12-10T17:00:00.000Z');
    expect(byTitle('Sydney picket').start.tz).toBe('Australia/Sydney');
    expect(byTitle('[cancelled] Warsaw picket').status).toBe('CANCELLED');
  });

  test('subscribers get a 304 while nothing changes, and the new picket as soon as one is published', async () => {
    const first = await request(h.app).get(`/campaigns/${slug}.ics`);
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await request(h.app).get(`/campaigns/${slug}.ics`).set('If-None-Match', etag);
    expect(again.status).toBe(304);

    const owner = await h.database.db('users').first();
    const campaign = await h.database.db('campaigns').where({ slug }).first();
    const draft = await buildEvent(h.database.db, owner, { campaign_id: campaign.id, title: 'Tbilisi picket', city: 'Tbilisi', country: 'GE', timezone: 'Asia/Tbilisi', status: 'draft', starts_at: new Date('2026-12-10T08:00:00Z') });
    const unchanged = await request(h.app).get(`/campaigns/${slug}.ics`).set('If-None-Match', etag);
    expect(unchanged.status).toBe(304);
    await h.database.db('events').where({ id: draft.id }).update({ status: 'published', published_at: new Date(), updated_at: new Date() });
    const changed = await request(h.app).get(`/campaigns/${slug}.ics`).set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.text).toContain('SUMMARY:Tbilisi picket');
    expect(changed.text).toMatch(/DTSTART;TZID=Asia\/Tbilisi:20261210T120000/);
  });
});
