// What the app is built from: passed to createApp, handed on to routers and services. It lives
// apart from app.ts so that routes and services can name it without importing the app (a cycle).
import type { Knex } from 'knex';
import type { Config } from './config';
import type { Clock } from './lib/clock';
import type { Localisation } from './lib/i18n';
import type { Logger } from './lib/log';
import type { Mailer } from './lib/mail';
import type { Storage } from './lib/storage';
import type { ChangeFeed } from './lib/change-feed';

export interface AppDeps {
  db: Knex;
  config: Config;
  mailer: Mailer;
  storage: Storage;
  clock: Clock;
  i18n: Localisation;
  logger: Logger;
  /** Signs session and CSRF cookies. */
  sessionSecret: string;
  /** This process's LISTEN connection; without one, public caches stay off. */
  changes?: ChangeFeed;
}
