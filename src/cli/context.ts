// Shared start for command-line tools: settings, logger, the same database `npm start` uses.
import { ConfigError, loadConfig, loadDotEnv, Config } from '../config';
import { openDatabase, OpenDatabase } from '../db/open';
import { createLogger, Logger } from '../lib/log';

export async function cliContext(): Promise<{ config: Config; logger: Logger; database: OpenDatabase }> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  return { config, logger, database };
}
