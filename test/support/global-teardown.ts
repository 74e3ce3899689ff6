import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const url = process.env.PICKET_TEST_ADMIN_URL;
  const template = process.env.PICKET_TEST_TEMPLATE;
  if (url && template) {
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`drop database if exists "${template}" with (force)`);
    // Databases of test files that crashed before their own clean-up.
    const stale = await client.query(`select datname from pg_database where datname like $1`, [`picket_t_${process.pid}_%`]);
    for (const row of stale.rows) await client.query(`drop database if exists "${row.datname}" with (force)`);
    await client.end();
  }
  const embedded = (globalThis as { __picketEmbedded?: { stop(): Promise<void> } }).__picketEmbedded;
  await embedded?.stop();
}
