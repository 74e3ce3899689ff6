// What the job queue does: each task, and when the recurring ones run. The queue itself (workers,
// heartbeats, retries through database outages) is src/lib/queue.ts, which knows no domain.
import type { Knex } from 'knex';
import type { TaskList } from 'graphile-worker';
import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import type { Localisation } from '../lib/i18n';
import type { Logger } from '../lib/log';
import type { Mailer, OutgoingMail } from '../lib/mail';
import type { Storage } from '../lib/storage';
import { Queue, Recurring, runDueJobs as runQueueOnce, startQueue } from '../lib/queue';
import { deliverRsvpMail, RsvpMailPayload } from '../services/rsvp-mail';
import { eraseExpiredRsvps, queueConfirmations, sendDueReminders, sweepConfirmations } from '../services/rsvp-jobs';
import { cleanupStrayFiles } from '../services/media-files';
import { deleteExpired as deleteExpiredKeys } from '../services/idempotency';
import { eraseStaleProposals, sendProposalDigests } from '../services/proposal-jobs';

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

/** Recurring work: on every beat of the schedule (JOB_SCHEDULE_SECONDS), or at crontab times (UTC). */
export const recurring: Recurring[] = [
  { task: 'rsvp_reminders', every: 'beat' },
  { task: 'rsvp_confirmation_sweep', every: 'beat' },
  { task: 'media_cleanup', cron: '11,41 * * * *' },
  { task: 'rsvp_retention', cron: '17 3 * * *' },
  { task: 'idempotency_cleanup', cron: '23 * * * *' },
  { task: 'proposal_retention', cron: '23 3 * * *' },
  { task: 'proposal_digest', cron: '0 7 * * *' },
];

/** Run once at every start: what a crash may have left behind is cleaned up at once. */
export const atStart = ['media_cleanup'];

export function buildTasks(deps: JobDeps): TaskList {
  return {
    send_mail: async (payload) => {
      await deps.mailer.send(payload as OutgoingMail);
    },
    rsvp_mail: async (payload) => deliverRsvpMail(deps, payload as RsvpMailPayload),
    rsvp_confirmations: async (payload) => {
      await queueConfirmations(deps, (payload as { eventId: number }).eventId);
    },
    rsvp_confirmation_sweep: async () => {
      const events = await sweepConfirmations(deps, deps.config.JOB_SCHEDULE_SECONDS * 1000);
      if (events) deps.logger.warn({ events }, 'queued confirmations that were still waiting');
    },
    rsvp_reminders: async () => {
      await sendDueReminders(deps, deps.clock.now());
    },
    rsvp_retention: async () => {
      await eraseExpiredRsvps(deps, deps.clock.now());
    },
    idempotency_cleanup: async () => {
      const removed = await deleteExpiredKeys(deps);
      if (removed) deps.logger.info({ removed }, 'removed expired idempotency keys');
    },
    proposal_retention: async () => {
      const erased = await eraseStaleProposals(deps, deps.clock.now());
      if (erased.proposals || erased.hosts) deps.logger.info(erased, 'erased stale proposals');
    },
    proposal_digest: async () => {
      await sendProposalDigests(deps, deps.clock.now());
    },
    media_cleanup: async () => {
      const removed = await cleanupStrayFiles(deps);
      if (removed) deps.logger.info({ removed }, 'removed stray media files');
    },
  };
}

/** Starts the background worker and the schedule; both outlive database outages. */
export function startJobs(deps: JobDeps): Queue {
  return startQueue({
    databaseUrl: deps.databaseUrl,
    tasks: buildTasks(deps),
    recurring,
    atStart,
    concurrency: 4,
    poolMax: deps.config.WORKER_POOL_MAX,
    heartbeatMs: deps.config.JOB_HEARTBEAT_SECONDS * 1000,
    workerTimeoutMs: deps.config.JOB_WORKER_TIMEOUT_SECONDS * 1000,
    scheduleMs: deps.config.JOB_SCHEDULE_SECONDS * 1000,
    logger: deps.logger,
  });
}

/** Runs every job that is due now, then returns: for tests and one-off commands. */
export async function runDueJobs(deps: JobDeps): Promise<void> {
  await runQueueOnce(deps.databaseUrl, buildTasks(deps), deps.logger);
}
