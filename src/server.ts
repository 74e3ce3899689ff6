// Start: settings, database (embedded or DATABASE_URL), migrations, HTTP, job worker; a clean stop.
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { ConfigError, loadConfig, loadDotEnv } from './config';
import { createApp } from './app';
import { openDatabase, sessionSecret } from './db/open';
import { systemClock } from './lib/clock';
import { createI18n } from './lib/i18n';
import { createLogger } from './lib/log';
import { createMailer } from './lib/mail';
import { startWorker } from './lib/jobs';
import { createStorage } from './lib/storage';
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
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  const i18n = createI18n(config.DEFAULT_LOCALE);
  const mailer = createMailer(config, logger);
  const storage = createStorage(config);
  const budget = await connectionBudget(database.db, config).catch(() => null);
  const warning = budget && budgetWarning(budget);
  if (warning) logger.warn({ ...budget }, warning);
  for (const problem of (await storage.warnings?.()) ?? []) logger.warn(problem);
  const deps = { db: database.db, config, mailer, storage, clock: systemClock, i18n, logger, sessionSecret: sessionSecret(config) };
  const app = createApp(deps);
  const worker = config.WORKER ? await startWorker({ ...deps, databaseUrl: database.url }) : undefined;

  const server = app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  // The port actually bound (PORT=0 picks a free one, as the multi-process test does).
  const { port } = server.address() as AddressInfo;
  logger.info({ url: config.BASE_URL, mail: mailer.describe(), storage: storage.describe() }, `Picket is running on http://${config.HOST}:${port}`);

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
    storage.close?.();
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
