// Opens the database the settings point at: DATABASE_URL, or the embedded server under DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../lib/log';
import { migrateQueue } from '../lib/queue';
import { createDb, Db, migrate } from './knex';
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from './embedded';

export interface OpenDatabase {
  db: Db;
  url: string;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, logger: Logger, opts: { migrate?: boolean } = {}): Promise<OpenDatabase> {
  let url = config.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const dir = path.join(config.dataDir, 'postgres');
    logger.info({ dir, port: config.EMBEDDED_PG_PORT }, 'no DATABASE_URL: starting the embedded PostgreSQL');
    const server = await startEmbeddedPostgres({ dir, port: config.EMBEDDED_PG_PORT, log: (line) => logger.debug(line) });
    stopEmbedded = server.stop;
    await ensureDatabase(server.url, 'picket');
    url = withDatabase(server.url, 'picket');
  }
  const db = createDb(url, config.DATABASE_POOL_MAX);
  try {
    if (opts.migrate !== false) {
      const applied = await migrate(db);
      if (applied.length) logger.info({ applied }, 'database migrated');
      await migrateQueue(url);
    }
  } catch (error) {
    await db.destroy();
    await stopEmbedded?.();
    throw error;
  }
  return {
    db,
    url,
    async close() {
      await db.destroy();
      await stopEmbedded?.();
    },
  };
}

/** SESSION_SECRET, or one generated once and kept under DATA_DIR. */
export function sessionSecret(config: Config): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const file = path.join(config.dataDir, 'session-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = require('node:crypto').randomBytes(48).toString('base64url') as string;
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
