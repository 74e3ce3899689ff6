// Before a day of action an admin adds processes; start-up tells them in the log when the
// processes would ask PostgreSQL for more connections than it allows.
import { loadConfig } from '../src/config';
import { budgetWarning, connectionBudget } from '../src/db/connections';
import { createTestDatabase, TestDatabase } from './support/db';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

async function maxConnections(): Promise<number> {
  const { rows } = await database.db.raw("select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int as n");
  return rows[0].n;
}

test('one process with the default pools fits; the warning stays silent', async () => {
  const budget = await connectionBudget(database.db, loadConfig({}));
  expect(budget).toMatchObject({ perProcess: 20, processes: 1, needed: 20, available: await maxConnections(), fits: true });
  expect(budgetWarning(budget)).toBeNull();
});

test('too many processes for max_connections: the warning names the numbers and the settings to change', async () => {
  const available = await maxConnections();
  const processes = Math.ceil(available / 15) + 1;
  const config = loadConfig({ EXPECTED_PROCESSES: String(processes), DATABASE_POOL_MAX: '10', WORKER_POOL_MAX: '5' });
  const warning = budgetWarning(await connectionBudget(database.db, config));
  expect(warning).toContain(`${processes} processes x 15 connections (DATABASE_POOL_MAX + WORKER_POOL_MAX) = ${processes * 15}`);
  expect(warning).toContain(`the database allows ${available}`);
});

test('processes without the worker count only their request pool', async () => {
  const budget = await connectionBudget(database.db, loadConfig({ WORKER: 'false', DATABASE_POOL_MAX: '7', EXPECTED_PROCESSES: '3' }));
  expect(budget).toMatchObject({ perProcess: 7, needed: 21 });
});
