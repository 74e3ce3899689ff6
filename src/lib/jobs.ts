// The durable job queue (graphile-worker, in PostgreSQL). Jobs survive crashes and restarts;
// a failed job is retried with exponential backoff. Features add their tasks and schedules here.
import { run, runOnce, runMigrations, parseCrontab, Runner, TaskList, Logger as WorkerLogger } from 'graphile-worker';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Clock } from './clock';
import type { Localisation } from './i18n';
import type { Logger } from './log';
import type { Mailer, OutgoingMail } from './mail';
import type { Storage } from './storage';
import { deliverRsvpMail, RsvpMailPayload } from '../services/rsvp-mail';
import { eraseExpiredRsvps, queueConfirmations, sendDueReminders } from '../services/rsvp-jobs';
import { cleanupStrayFiles } from '../services/media-files';

export interface JobDeps {
  db: Knex;
  databaseUrl: string;
  config: Config;
  mailer: Mailer;
  clock: Clock;
  i18n: Localisation;
  storage: Storage;
  logger: Logger;
}

/** Recurring work, in crontab syntax (UTC). */
export const crontab = [
  // '* * * * * some_task', added by features
  '* * * * * rsvp_reminders',
  '17 3 * * * rsvp_retention',
  '41 4 * * * media_cleanup',
].join('\n');

export function buildTasks(deps: JobDeps): TaskList {
  return {
    send_mail: async (payload) => {
      await deps.mailer.send(payload as OutgoingMail);
    },
    rsvp_mail: async (payload) => deliverRsvpMail(deps, payload as RsvpMailPayload),
    rsvp_confirmations: async (payload) => {
      await queueConfirmations(deps, (payload as { eventId: number }).eventId);
    },
    rsvp_reminders: async () => {
      await sendDueReminders(deps, deps.clock.now());
    },
    rsvp_retention: async () => {
      await eraseExpiredRsvps(deps, deps.clock.now());
    },
    media_cleanup: async () => {
      const removed = await cleanupStrayFiles(deps);
      if (removed) deps.logger.info({ removed }, 'removed stray media files');
    },
  };
}

function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
    logger[method]({ ...scope, ...meta }, message);
  });
}

export async function migrateJobs(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl });
}

/** Starts the background worker (LISTEN/NOTIFY, so new jobs start at once). */
export async function startWorker(deps: JobDeps): Promise<Runner> {
  return run({
    connectionString: deps.databaseUrl,
    concurrency: 4,
    maxPoolSize: deps.config.WORKER_POOL_MAX,
    noHandleSignals: true,
    pollInterval: 2000,
    taskList: buildTasks(deps),
    parsedCronItems: parseCrontab(crontab),
    logger: workerLogger(deps.logger),
  });
}

/** Runs every job that is due now, then returns: for tests and one-off commands. */
export async function runDueJobs(deps: JobDeps): Promise<void> {
  await runOnce({
    connectionString: deps.databaseUrl,
    taskList: buildTasks(deps),
    logger: workerLogger(deps.logger),
  });
}
