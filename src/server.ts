// Start: settings, database (embedded or DATABASE_URL), migrations, HTTP, job worker; a clean stop.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import { createApp } from './app';
import { openDatabaseWhenReachable, sessionSecret } from './db/open';
import { systemClock } from './lib/clock';
import { createI18n } from './lib/i18n';
import { createLogger } from './lib/log';
import { createMailer } from './lib/mail';
import { createStorage } from './lib/storage';
import { listenForChanges } from './lib/change-feed';
import { CHANGES_CHANNEL } from './services/public-cache';
import { startJobs } from './jobs';
import { budgetWarning, connectionBudget } from './db/connections';

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
  const logger = createLogger(config.LOG_LEVEL, { pretty: config.NODE_ENV === 'development' });

  // Signals are heard from the first moment: a Ctrl-C while the database starts or migrates
  // stops what has been opened so far, in order, instead of killing the process mid-way.
  let stopping: string | undefined;
  const opened: { stop?: () => Promise<void> } = {};
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = signal;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      logger.warn('still stopping after 15 s: exiting anyway');
      process.exit(1);
    }, 15_000).unref();
    await opened.stop?.();
    clearTimeout(force);
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));

  const opening = openDatabaseWhenReachable(config, logger, () => stopping !== undefined);
  opened.stop = async () => {
    const started = await opening.catch(() => undefined);
    await started?.close().catch((e) => logger.warn({ err: e }, 'closing the database'));
  };
  const database = await opening;
  if (!database || stopping) return;
  const i18n = createI18n(config.DEFAULT_LOCALE);
  const mailer = createMailer(config, logger);
  const storage = createStorage(config);
  const budget = await connectionBudget(database.db, config).catch(() => null);
  const warning = budget && budgetWarning(budget);
  if (warning) logger.warn({ ...budget }, warning);
  for (const problem of (await storage.warnings?.()) ?? []) logger.warn(problem);
  // One LISTEN connection per process: how its caches hear of every change (README: how fresh).
  const changes = listenForChanges({ connectionString: database.url, channel: CHANGES_CHANNEL, logger });
  const deps = { db: database.db, config, mailer, storage, clock: systemClock, i18n, logger, sessionSecret: sessionSecret(config), changes };
  const app = createApp(deps);
  const worker = config.WORKER ? startJobs({ ...deps, databaseUrl: database.url }) : undefined;

  const server = app.listen(config.PORT, config.HOST);
  // Slow clients: headers within 20 s, a whole request (an upload included) within the setting.
  server.requestTimeout = config.REQUEST_TIMEOUT_SECONDS * 1000;
  server.headersTimeout = Math.min(20_000, server.requestTimeout);
  opened.stop = async () => {
    // Stop taking requests and let those in flight finish (up to 10 s) before the database goes.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    server.closeAllConnections();
    await worker?.stop().catch((e) => logger.warn({ err: e }, 'stopping the job worker'));
    storage.close?.();
    await changes.close();
    await database.close().catch((e) => logger.warn({ err: e }, 'closing the database'));
  };
  if (stopping) return;
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ url: config.BASE_URL, mail: mailer.describe(), storage: storage.describe() }, `Picket is running on http://${config.HOST}:${port}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
