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

async function counts() {
  const tables = ['users', 'campaigns', 'demands', 'prisoners', 'venues', 'events', 'event_demands'];
  const optional = ['rsvps', 'submissions', 'hosts', 'proposals'];
  const present = (await database.db.raw(`select tablename from pg_tables where schemaname = 'public'`)).rows.map((r: { tablename: string }) => r.tablename);
  const result: Record<string, number> = {};
  for (const table of [...tables, ...optional.filter((t) => present.includes(t))]) {
    result[table] = Number((await database.db(table).count({ n: '*' }).first())!.n);
  }
  return result;
}

test('the demo seed creates the demo accounts and a campaign, and running it twice changes nothing', async () => {
  const storage = diskStorage(path.join('/tmp', `picket-seed-${process.pid}`));
  const said: string[] = [];
  const first = await runSeed({ db: database.db, storage, seedPassword: 'demo password 123', log: (line) => said.push(line) });
  // What it says speaks of what a person knows, not of database rows.
  expect(said.join('\n')).toMatch(/demo campaign.*prisoner profiles.*demands.*embassies.*added/);
  expect(said.join('\n')).toMatch(/pickets.*\d+ added/);
  expect(said.join('\n')).toMatch(/\d+ people coming/);
  expect(said.join('\n')).toMatch(/report-backs .* past pickets: added/);
  expect(said.join('\n')).not.toMatch(/\brows?\b|rsvps:|events:/);
  expect(first.accounts.created).toEqual(['admin@picket.test', 'organiser1@picket.test', 'organiser2@picket.test']);
  const afterFirst = await counts();
  expect(afterFirst.users).toBe(3);
  expect(afterFirst.campaigns).toBeGreaterThanOrEqual(1);
  expect(afterFirst.demands).toBeGreaterThanOrEqual(3);
  expect(afterFirst.prisoners).toBeGreaterThanOrEqual(3);
  expect(afterFirst.rsvps).toBeGreaterThan(0);
  expect(afterFirst.submissions).toBeGreaterThan(0);
  // Pickets outside embassies in a dozen capitals, past and upcoming, owned by both organisers.
  const cities = await database.db('events').countDistinct({ n: 'city' }).first();
  expect(Number(cities!.n)).toBeGreaterThanOrEqual(12);
  const now = new Date();
  expect(Number((await database.db('events').where('starts_at', '>', now).count({ n: '*' }).first())!.n)).toBeGreaterThan(0);
  expect(Number((await database.db('events').where('ends_at', '<', now).count({ n: '*' }).first())!.n)).toBeGreaterThan(0);
  const owners = await database.db('events').distinct('owner_id');
  expect(owners).toHaveLength(2);
  // An open call, with two proposals from local hosts waiting for the organisers.
  expect(said.join('\n')).toMatch(/open call for local hosts: on, 2 proposals waiting/);
  expect(await database.db('campaigns').where({ proposals_open: true }).first()).toBeDefined();
  expect(Number((await database.db('proposals').where({ status: 'proposed' }).count({ n: '*' }).first())!.n)).toBe(2);

  said.length = 0;
  const second = await runSeed({ db: database.db, storage, seedPassword: 'demo password 123', log: (line) => said.push(line) });
  expect(said.join('\n')).toMatch(/demo campaign.*there already/);
  expect(second.accounts.created).toEqual([]);
  expect(await counts()).toEqual(afterFirst);
});
