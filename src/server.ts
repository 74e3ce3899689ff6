// Start: settings, database (embedded or DATABASE_URL), migrations, HTTP, job worker; a clean stop.
import path from 'node:path';
import { once } from 'node:events';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import { createApp } from './app';
import { openDatabase, sessionSecret } from './db/open';
import { systemClock } from './lib/clock';
import { createI18n } from './lib/i18n';
import { createLogger } from './lib/log';
import { createMailer } from './lib/mail';
import { startWorker } from './lib/jobs';
import { diskStorage } from './lib/storage';
import { listenForChanges } from './lib/change-feed';
import { CHANGES_CHANNEL } from './services/public-cache';

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  const i18n = createI18n(config.DEFAULT_LOCALE);
  const mailer = createMailer(config, logger);
  const storage = diskStorage(path.join(config.dataDir, 'uploads'));
  // One LISTEN connection per process: how its caches hear of every change (README: how fresh).
  const changes = listenForChanges({ connectionString: database.url, channel: CHANGES_CHANNEL, logger });
  const deps = { db: database.db, config, mailer, storage, clock: systemClock, i18n, logger, sessionSecret: sessionSecret(config), changes };
  const app = createApp(deps);
  const worker = config.WORKER ? await startWorker({ ...deps, databaseUrl: database.url }) : undefined;

  const server = app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  logger.info({ url: config.BASE_URL, mail: mailer.describe() }, `Picket is running on http://${config.HOST}:${config.PORT}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    // Stop taking requests and let those in flight finish (up to 10 s) before the database goes.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    server.closeAllConnections();
    await worker?.stop().catch((e) => logger.error(e));
    await changes.close();
    await database.close().catch((e) => logger.error(e));
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
