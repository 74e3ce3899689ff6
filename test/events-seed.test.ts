import path from 'node:path';
import { diskStorage } from '../src/lib/storage';
import { runSeed } from '../src/seed';
import { createTestDatabase, TestDatabase } from './support/db';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

test('the demo has past and upcoming pickets in a dozen capitals, owned by both organisers, and a second run adds none', async () => {
  const storage = diskStorage(path.join('/tmp', `picket-events-seed-${process.pid}`));
  const now = new Date('2026-11-24T12:00:00Z');
  const { ctx } = await runSeed({ db: database.db, storage, seedPassword: 'demo password 123', now });
  const events = await database.db('events').select('*');
  const cities = new Set(events.map((e) => e.city));
  expect(cities.size).toBeGreaterThanOrEqual(12);
  expect(events.some((e) => e.ends_at < now && e.status === 'published')).toBe(true);
  expect(events.filter((e) => e.starts_at > now && e.status === 'published').length).toBeGreaterThanOrEqual(10);
  expect(new Set(events.map((e) => e.owner_id))).toEqual(new Set([ctx.users.organiser1.id, ctx.users.organiser2.id]));
  expect(new Set(events.map((e) => e.action_status)).size).toBeGreaterThanOrEqual(4);
  // Noon, local time, wherever the picket is.
  const london = events.find((e) => e.title === 'Day of action: London' || (e.city === 'London' && e.starts_at > now));
  if (london) expect(london.starts_at.toISOString()).toMatch(/T12:00:00/);
  if (Object.keys(ctx.campaigns).length) {
    expect(await database.db('event_demands').count({ n: '*' }).first()).not.toEqual({ n: '0' });
  }
  expect(Object.keys(ctx.events).length).toBe(events.length);

  const before = await database.db('events').count({ n: '*' }).first();
  await runSeed({ db: database.db, storage, seedPassword: 'demo password 123', now: new Date('2026-11-30T12:00:00Z') });
  expect(await database.db('events').count({ n: '*' }).first()).toEqual(before);
});
