// The closed lists are declared once (src/domain/enums.ts). Migrations cannot import app code, so
// this reads the database's check constraints back and fails when one of them and the list differ.
import * as enums from '../src/domain/enums';
import { createTestDatabase, TestDatabase } from './support/db';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

/** The values a column's check constraint allows ("col = any (array['a', 'b'])" or "col in (...)"). */
async function allowedValues(table: string, column: string): Promise<string[]> {
  const { rows } = await database.db.raw<{ rows: { def: string }[] }>(
    `select pg_get_constraintdef(c.oid) as def
       from pg_constraint c
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'c' and c.conrelid = ?::regclass and a.attname = ?`,
    [table, column],
  );
  expect(rows).toHaveLength(1);
  return [...rows[0].def.matchAll(/'([^']*)'::text/g)].map((m) => m[1]);
}

test.each([
  ['users', 'role', enums.USER_ROLES],
  ['venues', 'kind', enums.VENUE_KINDS],
  ['campaigns', 'status', enums.CAMPAIGN_STATUSES],
  ['prisoners', 'status', enums.PRISONER_STATUSES],
  ['demands', 'kind', enums.DEMAND_KINDS],
  ['events', 'kind', enums.EVENT_KINDS],
  ['events', 'status', enums.EVENT_STATUSES],
  ['events', 'action_status', enums.ACTION_STATUSES],
  ['rsvps', 'role', enums.RSVP_ROLES],
  ['rsvps', 'status', enums.RSVP_STATUSES],
  ['event_messages', 'kind', enums.MESSAGE_KINDS],
  ['submissions', 'kind', enums.SUBMISSION_KINDS],
  ['submissions', 'status', enums.SUBMISSION_STATUSES],
  ['submissions', 'media_type', enums.MEDIA_TYPES],
  ['submissions', 'handin_status', enums.HANDIN_STATUSES],
  ['proposals', 'status', enums.PROPOSAL_STATUSES],
])('the database allows exactly the declared values of %s.%s', async (table, column, declared) => {
  expect((await allowedValues(table, column)).sort()).toEqual([...declared].sort());
});

test('rsvp_state answers only the declared states', async () => {
  const { rows } = await database.db.raw<{ rows: { src: string }[] }>("select prosrc as src from pg_proc where proname = 'rsvp_state'");
  const returned = [...rows[0].src.matchAll(/return '([a-z_]+)'/g)].map((m) => m[1]);
  expect([...new Set(returned)].sort()).toEqual([...enums.RSVP_STATES].sort());
});

test('every interface language has its catalogue', () => {
  const fs = require('node:fs') as typeof import('node:fs');
  expect(fs.readdirSync('locales').filter((d) => !d.includes('.')).sort()).toEqual([...enums.LOCALES].sort());
});
