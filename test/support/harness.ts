// One call gives a test file a real app: its own database, a real SMTP server, an injectable clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { AppDeps, createApp } from '../../src/app';
import { ChangeFeed, listenForChanges } from '../../src/lib/change-feed';
import { CHANGES_CHANNEL } from '../../src/services/public-cache';
import { Config, loadConfig } from '../../src/config';
import { Clock, systemClock } from '../../src/lib/clock';
import { createI18n } from '../../src/lib/i18n';
import { runDueJobs, JobDeps } from '../../src/jobs';
import { createLogger } from '../../src/lib/log';
import { createMailer } from '../../src/lib/mail';
import { createStorage } from '../../src/lib/storage';
import { createTestDatabase, TestDatabase } from './db';
import { startSmtp, TestSmtp } from './smtp';
import { startS3, TestS3, testStorageKind } from './s3';

export interface Harness {
  app: Express;
  deps: AppDeps;
  jobDeps: JobDeps;
  database: TestDatabase;
  smtp: TestSmtp;
  /** The S3 server when files go to a bucket (the "bucket" jest project, or `storage: 'bucket'`). */
  s3?: TestS3;
  config: Config;
  dataDir: string;
  /** Runs every job that is due (mail, reminders, ...), then returns. */
  runJobs(): Promise<void>;
  /** Builds another app on the same database (e.g. "after a restart"). */
  rebuild(overrides?: Partial<AppDeps>): Express;
  /** This "process"'s change feed (LISTEN connection); `changes.sync()` waits for every committed change. */
  changes: ChangeFeed;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Start without SMTP server (mail stays queued until one is started on smtpPort). */
  smtpPort?: number;
  /** Where files go: local disk or a bucket on a real S3 server (default: the jest project's choice). */
  storage?: 'disk' | 'bucket';
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const smtp = await startSmtp(options.smtpPort ?? 0);
  const s3 = (options.storage ?? testStorageKind()) === 'bucket' ? await startS3() : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    SMTP_URL: smtp.url,
    BASE_URL: 'http://picket.test',
    LOG_LEVEL: 'silent',
    ...s3?.env,
    ...options.env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const changes = listenForChanges({ connectionString: database.url, channel: CHANGES_CHANNEL, logger });
  await changes.ready;
  const deps: AppDeps = {
    db: database.db,
    config,
    mailer: createMailer(config, logger),
    storage: createStorage(config),
    clock: options.clock ?? systemClock,
    i18n: createI18n(config.DEFAULT_LOCALE),
    logger,
    sessionSecret: 'test-secret-that-is-long-enough-for-signing-cookies',
    changes,
  };
  const jobDeps: JobDeps = { ...deps, databaseUrl: database.url };
  return {
    app: heardFirst(createApp(deps), changes),
    deps,
    jobDeps,
    database,
    smtp,
    s3,
    config,
    dataDir,
    runJobs: () => runDueJobs(jobDeps),
    rebuild: (overrides = {}) => heardFirst(createApp({ ...deps, ...overrides }), overrides.changes ?? changes),
    changes,
    async close() {
      await changes.close();
      await smtp.stop();
      deps.storage.close?.();
      await s3?.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The app behind a step that first waits until this process has heard every change committed so
 * far (one NOTIFY round trip). A test's write and its next request are a few microseconds apart,
 * far less than a notification may take on a busy machine; with this, "the page shows the change
 * at once" is checked deterministically, as what it means: as soon as the database has told us.
 */
export function heardFirst(app: Express, changes: ChangeFeed): Express {
  // The app itself (its router, locals and render stay reachable), its entry point wrapped.
  type Handle = (req: unknown, res: { destroy?: () => void }, done?: (error?: unknown) => void) => void;
  const inner = app as unknown as { handle: Handle };
  const handle = inner.handle.bind(app);
  inner.handle = (req, res, done) => void changes.sync(15_000).then(() => handle(req, res, done), (error) => (done ? done(error) : res.destroy?.()));
  return app;
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
