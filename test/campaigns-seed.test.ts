// npm run seed: the demo campaign, its prisoners and demands, and the embassies in a dozen capitals.
import request from 'supertest';
import { seedCampaigns } from '../src/seed/campaigns';
import type { SeedContext } from '../src/seed/context';
import { seedUsers } from '../src/seed/users';
import { diskStorage } from '../src/lib/storage';
import { createHarness, Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function run(): Promise<SeedContext> {
  const accounts = await seedUsers(h.database.db, 'a demo password for tests');
  const ctx: SeedContext = {
    db: h.database.db, storage: diskStorage(h.dataDir), log: () => {}, users: accounts.users,
    campaigns: {}, venues: {}, events: {}, now: new Date('2026-12-01T12:00:00Z'),
  };
  await seedCampaigns(ctx);
  return ctx;
}

async function snapshot() {
  const db = h.database.db;
  return {
    campaigns: await db('campaigns').orderBy('id'),
    demands: await db('demands').orderBy('id'),
    prisoners: await db('prisoners').orderBy('id'),
    venues: await db('venues').orderBy('id'),
  };
}

test('the seed fills a campaign with demands, prisoners and a dozen embassies, and running it twice changes nothing', async () => {
  const ctx = await run();
  const first = await snapshot();
  expect(first.campaigns).toHaveLength(1);
  expect(first.campaigns[0]).toMatchObject({ target_country: 'BY', owner_id: ctx.users.organiser1.id });
  expect(ctx.campaigns.belarus).toBe(first.campaigns[0].id);
  expect(new Set(first.demands.map((d) => d.kind))).toEqual(new Set(['release', 'drop_charges', 'other']));
  expect(first.demands.filter((d) => d.prisoner_id !== null).length).toBeGreaterThanOrEqual(3);
  expect(new Set(first.prisoners.map((p) => p.status))).toEqual(new Set(['detained', 'sentenced', 'released']));
  expect(first.venues).toHaveLength(12);
  expect(Object.keys(ctx.venues)).toHaveLength(12);
  const zones = Object.fromEntries(first.venues.map((v) => [v.city, v.timezone]));
  expect(zones).toMatchObject({ London: 'Europe/London', Washington: 'America/New_York', Tokyo: 'Asia/Tokyo', Canberra: 'Australia/Sydney' });
  expect(first.venues.filter((v) => v.kind === 'embassy').every((v) => v.represents === 'BY')).toBe(true);

  const again = await run();
  expect(await snapshot()).toEqual(first);
  expect(again.campaigns).toEqual(ctx.campaigns);
  expect(again.venues).toEqual(ctx.venues);

  const page = await request(h.app).get(`/campaigns/${first.campaigns[0].slug}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Alena Kavalchuk');
});
