// The README's nginx configuration (docs/nginx/picket.conf), run by a real nginx in front of the
// app: public pages are kept and shared, organisers and visitors with a message always reach Picket.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startNginx } from '../bench/day/nginx';
import { createHarness, Harness } from './support/harness';
import { buildCampaign, buildEvent, buildUser } from './support/factories';

let h: Harness;
let server: http.Server;
let nginx: Awaited<ReturnType<typeof startNginx>>;
beforeAll(async () => {
  h = await createHarness();
  server = http.createServer(h.app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  nginx = await startNginx(`127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await nginx?.stop();
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(nginx.url + path, { headers: { 'accept-language': 'en', ...headers } });

test('a campaign page opened by many is answered by nginx, the same for everyone, in their language', async () => {
  const organiser = await buildUser(h.database.db);
  const campaign = await buildCampaign(h.database.db, organiser, { title: 'Free the Five', slug: 'free-the-five-nginx' });
  const first = await get(`/campaigns/${campaign.slug}`);
  expect(first.headers.get('x-cache')).toBe('MISS');
  const firstText = await first.text();
  expect(firstText).toContain('Free the Five');
  const second = await get(`/campaigns/${campaign.slug}`);
  expect(second.headers.get('x-cache')).toBe('HIT');
  expect(await second.text()).toBe(firstText);

  // An event page too: anonymous pages carry no per-visitor token, so one copy serves everyone.
  const event = await buildEvent(h.database.db, organiser, { title: 'Vigil in Riga' });
  await get(`/events/${event.id}-vigil-in-riga`);
  expect((await get(`/events/${event.id}-vigil-in-riga`)).headers.get('x-cache')).toBe('HIT');

  const french = await get(`/campaigns/${campaign.slug}`, { 'accept-language': 'fr' });
  expect(french.headers.get('x-cache')).toBe('MISS'); // another language, another copy
  expect(await french.text()).toContain('lang="fr"');
});

test('organisers and visitors with a message waiting always reach Picket; writes are never kept', async () => {
  const organiser = await buildUser(h.database.db);
  const campaign = await buildCampaign(h.database.db, organiser, { title: 'Release Ales', slug: 'release-ales-nginx' });
  await get(`/campaigns/${campaign.slug}`);
  expect((await get(`/campaigns/${campaign.slug}`)).headers.get('x-cache')).toBe('HIT');
  expect((await get(`/campaigns/${campaign.slug}`, { cookie: 'picket.sid=s%3Aabc' })).headers.get('x-cache')).toBe('BYPASS');
  expect((await get(`/campaigns/${campaign.slug}`, { cookie: 'lang=en; flash=s%3Ax' })).headers.get('x-cache')).toBe('BYPASS');
  // A page Picket does not mark public (the log-in form carries a token) is never kept.
  await get('/login');
  expect((await get('/login')).headers.get('x-cache')).not.toBe('HIT');
});
