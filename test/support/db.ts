// Each test file gets a database of its own, cloned from the migrated template.
import crypto from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from '../../src/db/embedded';
import { createDb, Db } from '../../src/db/knex';
import { adminUrl, templateName } from './server-url';

export interface TestDatabase {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  // The run id ties the name to this jest run, so its teardown can sweep leftovers.
  const name = `picket_t_${process.env.PICKET_TEST_RUN}_${crypto.randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}" template "${templateName()}"`));
  const url = withDatabase(adminUrl(), name);
  const db = createDb(url, 10);
  return {
    db,
    url,
    name,
    async drop() {
      await db.destroy();
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
