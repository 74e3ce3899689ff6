// Once per `jest` run: find the PostgreSQL server, build a migrated template database that each
// test file clones into a database of its own.
import crypto from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres, withDatabase } from '../../src/db/embedded';
import { createDb, migrate } from '../../src/db/knex';
import { migrateQueue } from '../../src/lib/queue';
import { EMBEDDED_TEST_PORT, embeddedTestDir } from './server-url';

export default async function globalSetup(): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const server = await startEmbeddedPostgres({ dir: embeddedTestDir, port: EMBEDDED_TEST_PORT, portSetting: 'EMBEDDED_TEST_PG_PORT' });
    (globalThis as { __picketEmbedded?: unknown }).__picketEmbedded = server;
    url = server.url;
  }
  const template = `picket_tpl_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`create database "${template}"`);
  await client.end();

  const templateUrl = withDatabase(url, template);
  const db = createDb(templateUrl, 2);
  await migrate(db);
  await db.destroy();
  await migrateQueue(templateUrl);

  process.env.PICKET_TEST_ADMIN_URL = url;
  process.env.PICKET_TEST_TEMPLATE = template;
  process.env.PICKET_TEST_RUN = String(process.pid);
  // The AWS SDK warns once per process that its releases after January 2027 need Node 22; the
  // lockfile keeps one that supports Node 20 (see the README). Test output need not repeat it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
