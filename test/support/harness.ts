// One call gives a test file a real app: its own database, a real SMTP server, an injectable clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { AppDeps, createApp } from '../../src/app';
import { Config, loadConfig } from '../../src/config';
import { Clock, systemClock } from '../../src/lib/clock';
import { createI18n } from '../../src/lib/i18n';
import { runDueJobs, JobDeps } from '../../src/lib/jobs';
import { createLogger } from '../../src/lib/log';
import { createMailer } from '../../src/lib/mail';
import { diskStorage } from '../../src/lib/storage';
import { createTestDatabase, TestDatabase } from './db';
import { startSmtp, TestSmtp } from './smtp';

export interface Harness {
  app: Express;
  deps: AppDeps;
  jobDeps: JobDeps;
  database: TestDatabase;
  smtp: TestSmtp;
  config: Config;
  dataDir: string;
  /** Runs every job that is due (mail, reminders, ...), then returns. */
  runJobs(): Promise<void>;
  /** Builds another app on the same database (e.g. "after a restart"). */
  rebuild(overrides?: Partial<AppDeps>): Express;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Start without SMTP server (mail stays queued until one is started on smtpPort). */
  smtpPort?: number;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const smtp = await startSmtp(options.smtpPort ?? 0);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    BASE_URL: 'http://picket.test',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const deps: AppDeps = {
    db: database.db,
    config,
    mailer: createMailer(config, logger),
    storage: diskStorage(path.join(dataDir, 'uploads')),
    clock: options.clock ?? systemClock,
    i18n: createI18n(config.DEFAULT_LOCALE),
    logger,
    sessionSecret: 'test-secret-that-is-long-enough-for-signing-cookies',
  };
  const jobDeps: JobDeps = { ...deps, databaseUrl: database.url };
  return {
    app: createApp(deps),
    deps,
    jobDeps,
    database,
    smtp,
    config,
    dataDir,
    runJobs: () => runDueJobs(jobDeps),
    rebuild: (overrides = {}) => createApp({ ...deps, ...overrides }),
    async close() {
      await smtp.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The CSRF token of the first form on a page (empty on anonymous public pages, which carry none). */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1];
}

type Agent = ReturnType<typeof request.agent>;

/** GETs `formPage`, then POSTs `fields` to `action` with the page's CSRF token. */
export async function submitForm(agent: Agent, formPage: string, action: string, fields: Record<string, string>) {
  const page = await agent.get(formPage);
  return agent.post(action).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

export async function logIn(agent: Agent, email: string, password: string) {
  const res = await submitForm(agent, '/login', '/login', { email, password });
  if (res.status !== 303) throw new Error(`login failed for ${email}: ${res.status}`);
  return res;
}

/** The first link in an e-mail's text that starts with `prefix` (made relative to the app). */
export function linkIn(text: string, prefix: string): string {
  const match = new RegExp(`http://picket\\.test(${prefix.replace(/[/.]/g, '\\$&')}[^\\s"<]*)`).exec(text);
  if (!match) throw new Error(`no ${prefix} link in: ${text}`);
  return match[1];
}
