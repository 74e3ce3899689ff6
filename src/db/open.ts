// Opens the database the settings point at: DATABASE_URL, or the embedded server under DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../lib/log';
import { migrateQueue } from '../lib/queue';
import { createDb, Db, migrate } from './knex';
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from './embedded';
import { isDatabaseUnavailable } from './unavailable';

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

/**
 * openDatabase, waiting for a DATABASE_URL server that is out of reach (restarting, refusing
 * connections, not up yet) instead of exiting: tries again after 1 s, doubling up to 30 s, saying so
 * in the log. Anything else (a wrong password, a failed migration) still fails at once. Gives up
 * (undefined) when `stopped` says the process is stopping.
 */
export async function openDatabaseWhenReachable(config: Config, logger: Logger, stopped: () => boolean): Promise<OpenDatabase | undefined> {
  for (let delay = 1_000; ; delay = Math.min(30_000, delay * 2)) {
    try {
      return await openDatabase(config, logger);
    } catch (error) {
      if (!config.DATABASE_URL || !isDatabaseUnavailable(error)) throw error;
      // The reason only: the error's message names host and port, never the URL or its password.
      logger.warn({ reason: (error as Error).message, retryInSeconds: delay / 1000 }, 'database not reachable; waiting for it');
    }
    for (const until = Date.now() + delay; Date.now() < until; ) {
      if (stopped()) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
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
