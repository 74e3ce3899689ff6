import request from 'supertest';
import { createHarness, Harness } from './support/harness';
import { buildCampaign, buildEvent, buildUser } from './support/factories';
import { fixedClock } from '../src/lib/clock';

const NOW = '2026-12-01T12:00:00Z';
let h: Harness;
let campaign: { id: number; slug: string };

beforeAll(async () => {
  h = await createHarness({
    clock: fixedClock(NOW),
    env: { TILE_URL: 'https://tiles.example.net/{z}/{x}/{y}.png', TILE_ATTRIBUTION: 'Tiles by Example' },
  });
  const db = h.database.db;
  const owner = await buildUser(db);
  campaign = await buildCampaign(db, owner, { slug: 'free-the-five', title: 'Free the Five' });
  await buildEvent(db, owner, {
    campaign_id: campaign.id, title: 'Tokyo picket', city: 'Tokyo', country: 'JP', latitude: 35.6762, longitude: 139.6503,
    timezone: 'Asia/Tokyo', starts_at: new Date('2026-12-10T10:00:00Z'),
  });
  await buildEvent(db, owner, {
    campaign_id: campaign.id, title: 'Paris vigil', kind: 'vigil', city: 'Paris', country: 'FR', latitude: 48.8566, longitude: 2.3522,
    timezone: 'Europe/Paris', starts_at: new Date('2026-12-11T17:00:00Z'),
  });
  await buildEvent(db, owner, {
    title: 'London picket', meeting_point_private: true, meeting_point: 'Behind the red door', latitude: 51.50123, longitude: -0.18876,
    starts_at: new Date('2026-11-20T18:00:00Z'),
  });
  await buildEvent(db, owner, { title: 'Draft picket', status: 'draft' });
});
afterAll(async () => {
  await h.close();
});

function scriptTags(html: string): string[] {
  return html.match(/<script\b[^>]*>/g) ?? [];
}

describe('the map page', () => {
  test('a visitor without JavaScript gets the filters and a list of links to every picket', async () => {
    const res = await request(h.app).get('/map');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Map of pickets');
    for (const title of ['Tokyo picket', 'Paris vigil', 'London picket']) expect(res.text).toContain(title);
    expect(res.text).not.toContain('Draft picket');
    expect(res.text).toMatch(/<a href="\/events\/\d+-tokyo-picket">Tokyo picket<\/a>/);
    // Local time in the picket's own zone, with the zone named.
    expect(res.text).toMatch(/Thursday, 10 December 2026 at 19:00 \(Tokyo\)/);
    expect(res.text).toContain('3 pickets');
    expect(res.text).toMatch(/aria-live="polite"/);
    for (const name of ['campaign', 'when', 'from', 'to', 'kind', 'country']) expect(res.text).toContain(`name="${name}"`);
    // Past and upcoming are told apart in words, not only by colour.
    expect(res.text).toContain('map-badge--past">Past<');
    expect(res.text).toContain('map-badge--upcoming">Upcoming<');
  });

  test('the page loads no external or inline script, and the tiles come from the configured server', async () => {
    const res = await request(h.app).get('/map');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/img-src [^;]*https:\/\/tiles\.example\.net/);
    expect(csp).toContain("frame-ancestors 'none'");
    const tags = scriptTags(res.text);
    expect(tags).toContain('<script src="/vendor/leaflet/leaflet.js" defer>');
    expect(tags).toContain('<script src="/vendor/markercluster/leaflet.markercluster.js" defer>');
    expect(tags).toContain('<script src="/public/js/map.js" defer>');
    for (const tag of tags) expect(tag).toMatch(/src="\/|type="application\/json"/);
    expect(res.text).not.toMatch(/style="/);
    const data = JSON.parse(/<script type="application\/json" id="map-data">([^<]*)<\/script>/.exec(res.text)![1]);
    expect(data).toMatchObject({ tileUrl: 'https://tiles.example.net/{z}/{x}/{y}.png', tileAttribution: 'Tiles by Example', now: NOW.replace('Z', '.000Z') });
    const vendor = await request(h.app).get('/vendor/markercluster/leaflet.markercluster.js');
    expect(vendor.status).toBe(200);
    const css = await request(h.app).get('/public/css/map.css');
    expect(css.status).toBe(200);
  });

  test('a private meeting point stays private on the page', async () => {
    const res = await request(h.app).get('/map');
    expect(res.text).not.toContain('Behind the red door');
    expect(res.text).not.toContain('51.50123');
  });

  test('filters in the address narrow the list, and the form shows them chosen', async () => {
    const res = await request(h.app).get('/map?kind=vigil&lat=48.8&lng=2.3&z=5');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Paris vigil');
    expect(res.text).not.toContain('Tokyo picket');
    expect(res.text).toContain('<option value="vigil" selected>');
    const past = await request(h.app).get('/map?when=past');
    expect(past.text).toContain('London picket');
    expect(past.text).not.toContain('Paris vigil');
    expect(past.text).toMatch(/value="past" checked/);
  });

  test('an unknown filter is named, and the visitor still gets every picket', async () => {
    const res = await request(h.app).get('/map?colour=red&from=soon');
    expect(res.status).toBe(400);
    expect(res.text).toContain('colour: Unknown parameter');
    expect(res.text).toContain('from: Use a date like 2026-12-10');
    expect(res.text).toContain('Tokyo picket');
  });

  test('day-of-action mode lists the pickets of that day and offers the campaign days', async () => {
    const res = await request(h.app).get('/map?campaign=free-the-five&day=2026-12-10');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Map of pickets: Free the Five');
    expect(res.text).toContain('Tokyo picket');
    expect(res.text).not.toContain('Paris vigil');
    expect(res.text).toMatch(/<option value="2026-12-10" selected>[^<]*10 December 2026 \(1 picket\)/);
    expect(res.text).toMatch(/<option value="2026-12-11" >[^<]*11 December 2026 \(1 picket\)/);
    expect(res.text).toContain('id="map-day-time"');
  });
});

describe('the embeddable map', () => {
  test('a campaign website can frame the map of its campaign, and only that address', async () => {
    const res = await request(h.app).get('/embed/map?campaign=free-the-five');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(res.headers['content-security-policy']).not.toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.text).toContain('Tokyo picket');
    expect(res.text).not.toContain('London picket');
    expect(res.text).not.toContain('class="site-header"');
    expect(res.text).toMatch(/<a href="\/events\/\d+-tokyo-picket" target="_blank" rel="noopener">/);
    for (const tag of scriptTags(res.text)) expect(tag).toMatch(/src="\/|type="application\/json"/);

    const page = await request(h.app).get('/map');
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    const unknown = await request(h.app).get('/embed/map?campaign=no-such-campaign');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-security-policy']).toContain('frame-ancestors *');
  });
});
