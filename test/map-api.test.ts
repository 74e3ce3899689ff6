import zlib from 'node:zlib';
import request from 'supertest';
import { createHarness, Harness } from './support/harness';
import { buildCampaign, buildDemand, buildEvent, buildUser } from './support/factories';
import { fixedClock } from '../src/lib/clock';
import { createApp } from '../src/app';
import { heardFirst } from './support/harness';
import type { PublicCache } from '../src/services/public-cache';
import { MapFeed } from '../src/services/map';

const NOW = '2026-12-01T12:00:00Z';
let h: Harness;
const clock = fixedClock(NOW);
let owner: { id: number; email: string };
let campaign: { id: number; slug: string; title: string };
const ids: Record<string, number> = {};

beforeAll(async () => {
  h = await createHarness({ clock });
  const db = h.database.db;
  owner = await buildUser(db, { email: 'secret-organiser@picket.test' });
  campaign = await buildCampaign(db, owner, { slug: 'free-the-five', title: 'Free the Five' });
  const other = await buildCampaign(db, owner, { slug: 'other-campaign', title: 'Another campaign' });
  const demand = await buildDemand(db, campaign, { text: 'Release Ales now' });
  // Tokyo, 10 December 19:00 local (10:00 UTC).
  const tokyo = await buildEvent(db, owner, {
    campaign_id: campaign.id, title: 'Tokyo picket', city: 'Tokyo', country: 'JP', latitude: 35.6762, longitude: 139.6503,
    timezone: 'Asia/Tokyo', starts_at: new Date('2026-12-10T10:00:00Z'),
  });
  await db('event_demands').insert({ event_id: tokyo.id, demand_id: demand.id });
  ids.tokyo = tokyo.id;
  // Suva, Fiji (east of the antimeridian's west side), 10 December local, 9 December UTC.
  ids.fiji = (await buildEvent(db, owner, {
    campaign_id: campaign.id, title: 'Suva vigil', kind: 'vigil', city: 'Suva', country: 'FJ', latitude: -18.1416, longitude: 178.4419,
    timezone: 'Pacific/Fiji', starts_at: new Date('2026-12-09T22:00:00Z'),
  })).id;
  // Apia, Samoa: just west of the antimeridian's east side.
  ids.samoa = (await buildEvent(db, owner, {
    campaign_id: other.id, title: 'Apia picket', city: 'Apia', country: 'WS', latitude: -13.8333, longitude: -171.7667,
    timezone: 'Pacific/Apia', starts_at: new Date('2026-11-20T22:00:00Z'),
  })).id;
  // London, with a private meeting point and personal details that must never leak.
  ids.london = (await buildEvent(db, owner, {
    title: 'London picket', meeting_point_private: true, meeting_point: 'Behind the red door at 7 Secret Mews',
    address: '6 Kensington Court', latitude: 51.50123, longitude: -0.18876, contact_text: 'Call Anna on +44 7700 900123',
    starts_at: new Date('2026-11-25T18:00:00Z'),
  })).id;
  ids.cancelled = (await buildEvent(db, owner, {
    title: 'Berlin picket (cancelled)', city: 'Berlin', country: 'DE', latitude: 52.52, longitude: 13.405, timezone: 'Europe/Berlin',
    status: 'cancelled', starts_at: new Date('2026-12-10T13:00:00Z'),
  })).id;
  ids.draft = (await buildEvent(db, owner, { title: 'Draft picket', status: 'draft' })).id;
});
afterAll(async () => {
  await h.close();
});

const titles = (body: { features: { properties: { title: string } }[] }) => body.features.map((f) => f.properties.title).sort();

describe('the GeoJSON feed of pickets', () => {
  test('a map client gets a valid FeatureCollection, longitude first, without drafts', async () => {
    const res = await request(h.app).get('/api/events.geojson');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.body.type).toBe('FeatureCollection');
    expect(titles(res.body)).toEqual(['Apia picket', 'Berlin picket (cancelled)', 'London picket', 'Suva vigil', 'Tokyo picket']);
    for (const f of res.body.features) {
      expect(f.type).toBe('Feature');
      expect(f.geometry.type).toBe('Point');
      expect(f.geometry.coordinates).toHaveLength(2);
      const [lon, lat] = f.geometry.coordinates;
      expect(typeof lon).toBe('number');
      expect(lon).toBeGreaterThanOrEqual(-180);
      expect(lon).toBeLessThanOrEqual(180);
      expect(lat).toBeGreaterThanOrEqual(-90);
      expect(lat).toBeLessThanOrEqual(90);
      expect(typeof f.id).toBe('number');
    }
    const tokyo = res.body.features.find((f: { id: number }) => f.id === ids.tokyo);
    expect(tokyo.geometry.coordinates).toEqual([139.6503, 35.6762]);
    expect(tokyo.properties).toMatchObject({
      kind: 'picket', status: 'published', timezone: 'Asia/Tokyo', startsAt: '2026-12-10T19:00:00+09:00',
      campaign: { slug: 'free-the-five', title: 'Free the Five' }, demands: ['Release Ales now'], city: 'Tokyo', country: 'JP',
    });
    expect(tokyo.properties.url).toMatch(new RegExp(`^/events/${ids.tokyo}-tokyo-picket$`));
    const berlin = res.body.features.find((f: { id: number }) => f.id === ids.cancelled);
    expect(berlin.properties.status).toBe('cancelled');
  });

  test('a private meeting point is shown only as a rounded point, and no personal detail is ever sent', async () => {
    const res = await request(h.app).get('/api/events.geojson');
    const london = res.body.features.find((f: { id: number }) => f.id === ids.london);
    expect(london.geometry.coordinates).toEqual([-0.19, 51.5]);
    expect(london.properties.approximate).toBe(true);
    const text = res.text;
    for (const secret of ['Secret Mews', 'Kensington Court', '+44 7700', 'secret-organiser', '@picket.test', '51.50123', '-0.18876']) {
      expect(text).not.toContain(secret);
    }
    expect(Object.keys(london.properties).sort()).toEqual([
      'actionStatus', 'approximate', 'campaign', 'city', 'country', 'demands', 'endsAt', 'going', 'handIn', 'kind',
      'photo', 'photoCount', 'startsAt', 'status', 'timezone', 'title', 'url',
    ]);
  });

  test('the exact private point cannot be found by narrowing the bbox around it', async () => {
    const exact = await request(h.app).get('/api/events.geojson?bbox=-0.1888,51.5012,-0.1887,51.5013');
    expect(exact.body.features).toEqual([]);
    const rounded = await request(h.app).get('/api/events.geojson?bbox=-0.191,51.499,-0.189,51.501');
    expect(titles(rounded.body)).toEqual(['London picket']);
  });

  test('filters by campaign, country, kind and date range', async () => {
    const byCampaign = await request(h.app).get('/api/events.geojson?campaign=free-the-five');
    expect(titles(byCampaign.body)).toEqual(['Suva vigil', 'Tokyo picket']);
    const byCountry = await request(h.app).get('/api/events.geojson?country=jp');
    expect(titles(byCountry.body)).toEqual(['Tokyo picket']);
    const byKind = await request(h.app).get('/api/events.geojson?kind=vigil');
    expect(titles(byKind.body)).toEqual(['Suva vigil']);
    const unknownCampaign = await request(h.app).get('/api/events.geojson?campaign=no-such-campaign');
    expect(unknownCampaign.body.features).toEqual([]);
    // A day means the picket's own local day: Suva's vigil is on 10 December there (9 December in UTC).
    const tenth = await request(h.app).get('/api/events.geojson?from=2026-12-10&to=2026-12-10');
    expect(titles(tenth.body)).toEqual(['Berlin picket (cancelled)', 'Suva vigil', 'Tokyo picket']);
    const instants = await request(h.app).get('/api/events.geojson?from=2026-12-10T09:00:00Z&to=2026-12-10T11:00:00%2B00:00');
    expect(titles(instants.body)).toEqual(['Tokyo picket']);
  });

  test('quick choices follow the clock: upcoming, past, today and this week', async () => {
    const upcoming = await request(h.app).get('/api/events.geojson?when=upcoming');
    expect(titles(upcoming.body)).toEqual(['Berlin picket (cancelled)', 'Suva vigil', 'Tokyo picket']);
    const past = await request(h.app).get('/api/events.geojson?when=past');
    expect(titles(past.body)).toEqual(['Apia picket', 'London picket']);
    const today = await request(h.app).get('/api/events.geojson?when=today');
    expect(today.body.features).toEqual([]);
    const week = await request(h.app).get('/api/events.geojson?when=week');
    expect(week.body.features).toEqual([]);
    // "Today" is each picket's own day: at 12:00 UTC on 10 December it is already 11 December in Fiji.
    clock.set('2026-12-10T12:00:00Z');
    try {
      const tenth = await request(h.app).get('/api/events.geojson?when=today');
      expect(titles(tenth.body)).toEqual(['Berlin picket (cancelled)', 'Tokyo picket']);
      const thisWeek = await request(h.app).get('/api/events.geojson?when=week');
      expect(titles(thisWeek.body)).toEqual(['Berlin picket (cancelled)', 'Suva vigil', 'Tokyo picket']);
    } finally {
      clock.set(NOW);
    }
  });

  test('a bbox that crosses the antimeridian keeps the pickets on both sides of it', async () => {
    const across = await request(h.app).get('/api/events.geojson?bbox=170,-30,-165,0');
    expect(titles(across.body)).toEqual(['Apia picket', 'Suva vigil']);
    const west = await request(h.app).get('/api/events.geojson?bbox=170,-30,180,0');
    expect(titles(west.body)).toEqual(['Suva vigil']);
    const europe = await request(h.app).get('/api/events.geojson?bbox=-10,35,30,60');
    expect(titles(europe.body)).toEqual(['Berlin picket (cancelled)', 'London picket']);
  });

  test('bad input gets a 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['bbox=1,2,3', 'bbox'],
      ['bbox=10,20,abc,30', 'bbox'],
      ['bbox=-200,0,10,10', 'bbox'],
      ['bbox=0,50,10,10', 'bbox'],
      ['from=yesterday', 'from'],
      ['to=2026-02-30', 'to'],
      ['from=2026-12-10T10:00', 'from'],
      ['from=2026-12-10&to=2026-12-01', 'to'],
      ['kind=party', 'kind'],
      ['country=GBR', 'country'],
      ['when=soon', 'when'],
      ['colour=red', 'colour'],
      ['constructor=1', 'constructor'],
      ['kind=picket&kind=vigil', 'kind'],
    ];
    for (const [query, param] of cases) {
      const res = await request(h.app).get(`/api/events.geojson?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers['content-type']).toMatch(/json/);
      expect(typeof res.body.error).toBe('string');
      expect(Object.keys(res.body.fields)).toEqual([param]);
      expect(res.body.fields[param]).not.toMatch(/^map\./);
    }
    const unknown = await request(h.app).get('/api/events.geojson?colour=red');
    expect(unknown.body.fields.colour).toBe('Unknown parameter');
  });
});

describe('what came back from a picket', () => {
  test('the feed counts people going and shows approved photos and the letter hand-in, never who', async () => {
    const db = h.database.db;
    const rsvp = (status: string, n: number) => ({
      event_id: ids.tokyo, name: `Yuki ${n}`, email: `yuki${n}@example.org`, note: 'I use a wheelchair', status, token: `tok-${status}-${n}`,
    });
    await db('rsvps').insert([rsvp('going', 1), rsvp('going', 2), rsvp('waitlisted', 3), rsvp('cancelled', 4)]);
    await db('submissions').insert([
      { event_id: ids.tokyo, kind: 'photo', storage_key: 'a'.repeat(32), media_type: 'image', status: 'approved', submitter_name: 'Kenji' },
      { event_id: ids.tokyo, kind: 'photo', storage_key: 'b'.repeat(32), media_type: 'image', status: 'pending' },
      { event_id: ids.tokyo, kind: 'letter', letter_text: 'Dear ambassador', handin_status: 'refused', status: 'approved', submitter_name: 'Kenji' },
      { event_id: ids.fiji, kind: 'letter', letter_text: 'Dear ambassador', handin_status: 'delivered', status: 'pending' },
    ]);
    const res = await request(h.app).get('/api/events.geojson');
    const byId = (id: number) => res.body.features.find((f: { id: number }) => f.id === id).properties;
    expect(byId(ids.tokyo)).toMatchObject({ going: 2, photo: `/media/${'a'.repeat(32)}/thumb`, photoCount: 1, handIn: 'refused' });
    expect(byId(ids.fiji)).toMatchObject({ going: 0, photo: null, photoCount: 0, handIn: null });
    for (const secret of ['Yuki', 'example.org', 'wheelchair', 'tok-', 'Kenji', 'Dear ambassador', 'b'.repeat(32)]) {
      expect(res.text).not.toContain(secret);
    }
  });
});

describe('caching of the feed', () => {
  test('a client with the current ETag gets 304, and a change to a picket gives a new ETag', async () => {
    const first = await request(h.app).get('/api/events.geojson?campaign=free-the-five');
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[^"]+"$/); // strong
    const again = await request(h.app).get('/api/events.geojson?campaign=free-the-five').set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text).toBeFalsy();
    // Other filters have another ETag.
    const other = await request(h.app).get('/api/events.geojson?campaign=other-campaign').set('If-None-Match', etag);
    expect(other.status).toBe(200);

    await h.database.db('events').where({ id: ids.tokyo }).update({ title: 'Tokyo picket, moved', updated_at: h.database.db.fn.now() });
    const changed = await request(h.app).get('/api/events.geojson?campaign=free-the-five').set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(titles(changed.body)).toContain('Tokyo picket, moved');
    await h.database.db('events').where({ id: ids.tokyo }).update({ title: 'Tokyo picket', updated_at: h.database.db.fn.now() });
  });

  test('an RSVP does not rebuild the feed; the number going catches up within MAP_COUNT_SECONDS', async () => {
    const app = createApp(h.deps);
    const feed = (app.locals.publicCache as PublicCache).map;
    const client = heardFirst(app, h.changes);
    const first = await request(client).get('/api/events.geojson');
    await h.database.db('rsvps').insert({ event_id: ids.fiji, name: 'Mere', email: 'mere@example.org', status: 'going', token: 'tok-fiji' });
    const during = await request(client).get('/api/events.geojson').set('If-None-Match', first.headers.etag);
    expect(during.status).toBe(304);

    clock.advance(h.config.MAP_COUNT_SECONDS * 1000);
    // The first request after the interval is still answered at once, with the feed as it was...
    expect((await request(client).get('/api/events.geojson').set('If-None-Match', first.headers.etag)).status).toBe(304);
    await feed.settled(); // ...while the points with new RSVPs are re-read in the background.
    const after = await request(client).get('/api/events.geojson').set('If-None-Match', first.headers.etag);
    expect(after.status).toBe(200);
    expect(after.body.features.find((f: { id: number }) => f.id === ids.fiji).properties.going).toBe(1);
  });

  test('a new demand on a picket changes the ETag too', async () => {
    const first = await request(h.app).get('/api/events.geojson');
    const demand = await buildDemand(h.database.db, campaign, { text: 'Drop the charges' });
    await h.database.db('event_demands').insert({ event_id: ids.fiji, demand_id: demand.id });
    const after = await request(h.app).get('/api/events.geojson').set('If-None-Match', first.headers.etag);
    expect(after.status).toBe(200);
    const fiji = after.body.features.find((f: { id: number }) => f.id === ids.fiji);
    expect(fiji.properties.demands).toEqual(['Drop the charges']);
    expect(after.text).not.toContain('mere@example.org');
  });

  test('approving a photo, or removing a picket, changes the ETag too', async () => {
    const db = h.database.db;
    const [photo] = await db('submissions').insert({ event_id: ids.fiji, kind: 'photo', storage_key: 'c'.repeat(32), media_type: 'image', status: 'pending' }).returning('id');
    const before = await request(h.app).get('/api/events.geojson');
    await db('submissions').where({ id: photo.id }).update({ status: 'approved' }); // no updated_at: the version does not rely on it
    const approved = await request(h.app).get('/api/events.geojson').set('If-None-Match', before.headers.etag);
    expect(approved.status).toBe(200);
    expect(approved.body.features.find((f: { id: number }) => f.id === ids.fiji).properties.photo).toBe(`/media/${'c'.repeat(32)}/thumb`);

    const draft = await buildEvent(db, owner, { title: 'Short-lived picket' });
    const withIt = await request(h.app).get('/api/events.geojson');
    expect(titles(withIt.body)).toContain('Short-lived picket');
    await db('events').where({ id: draft.id }).delete();
    const without = await request(h.app).get('/api/events.geojson').set('If-None-Match', withIt.headers.etag);
    expect(without.status).toBe(200);
    expect(titles(without.body)).not.toContain('Short-lived picket');
  });

  test('a picket whose notification has not arrived yet is still served', async () => {
    // A feed of a cache that hears nothing, as if the notification were still on its way.
    const feed = new MapFeed(h.deps, () => true, 60_000);
    const before = JSON.parse((await feed.body({ now: clock.now() })).json.toString());
    const late = await buildEvent(h.database.db, owner, { title: 'Late picket' });
    const after = JSON.parse((await feed.body({ now: clock.now(), kind: 'picket' })).json.toString());
    expect(titles(before)).not.toContain('Late picket');
    expect(titles(after)).toContain('Late picket');
    await h.database.db('events').where({ id: late.id }).delete();
  });

  test('the feed gzipped in blocks is one valid gzip stream of exactly the JSON, before and after a change', async () => {
    const feed = new MapFeed(h.deps, () => true, 60_000);
    // More points than one block holds (at most 400), so several blocks are joined.
    const template = await buildEvent(h.database.db, owner, { title: 'Block picket', starts_at: new Date('2026-12-05T10:00:00Z') });
    const { id: _id, ...row } = await h.database.db('events').where({ id: template.id }).first();
    await h.database.db('events').insert(Array.from({ length: 900 }, (_, i) => ({
      ...row, title: `Block picket ${i}`, starts_at: new Date(Date.parse('2026-12-05T10:00:00Z') + i * 60_000), ends_at: new Date(Date.parse('2026-12-06T10:00:00Z')),
    })));
    const check = async () => {
      const body = await feed.body({ now: clock.now() });
      const unzipped = zlib.gunzipSync(await body.gzip());
      expect(unzipped.equals(body.json)).toBe(true);
      return JSON.parse(unzipped.toString());
    };
    const before = await check();
    const moved = before.features[3].id;
    await h.database.db('events').where({ id: moved }).update({ title: 'Moved block picket' });
    feed.heard('e', moved);
    const after = await check();
    expect(after.features.find((f: { id: number }) => f.id === moved).properties.title).toBe('Moved block picket');
    expect(after.features).toHaveLength(before.features.length);
    await h.database.db('events').where('title', 'like', '%lock picket%').delete();
  });

  test('the feed is sent compressed to clients that accept gzip', async () => {
    const res = await request(h.app).get('/api/events.geojson').set('Accept-Encoding', 'gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.body.type).toBe('FeatureCollection');
  });
});
