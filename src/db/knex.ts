import path from 'node:path';
import knex, { Knex } from 'knex';
import pg from 'pg';

// Return int8 (counts, sums) as numbers and `date` columns as plain 'YYYY-MM-DD' strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Knex;

export const migrationsDir = path.resolve(__dirname, '../../migrations');

export function createDb(connectionString: string, poolMax = 10): Db {
  return knex({
    client: 'pg',
    connection: { connectionString, application_name: 'picket' },
    pool: { min: 0, max: poolMax },
    migrations: { directory: migrationsDir, loadExtensions: ['.ts'], tableName: 'knex_migrations' },
    // Connection errors reach the app as failed queries (a 503 and one log line); knex's own copies
    // on stdout, with a stack trace per request while the database is away, are noise.
    log: { warn: (message: unknown) => void (/^(Acquire connection error|Connection Error)/.test(String(message)) || console.warn(message)) },
  });
}

export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = await db.migrate.latest();
  return applied as string[];
}
