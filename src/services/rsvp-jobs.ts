// Scheduled RSVP work: reminders (every minute) and erasing personal data after events (daily).
// Both take "now" from the caller, so tests move an injected clock instead of waiting.
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import * as q from '../queries/rsvps';

interface Deps {
  db: Knex;
  config: Pick<Config, 'REMINDER_HOURS' | 'RSVP_RETENTION_DAYS'>;
}

/**
 * Queues the reminders due at `now` for everyone going, e.g. 24 and 3 hours before the start
 * ("24 hours" keeps the wall-clock time in the event's zone across a DST change). Each (RSVP,
 * reminder) is recorded in the same transaction as its mail job, under a unique key: running this
 * twice, or on two machines, or after a restart, never sends one twice. When the worker was down
 * past a reminder and the next one is already due, only the next one is sent.
 */
export async function sendDueReminders(deps: Deps, now: Date): Promise<number> {
  const hours = [...new Set(deps.config.REMINDER_HOURS)].filter((h) => h > 0).sort((a, b) => b - a);
  return deps.db.transaction(async (trx) => {
    let queued = 0;
    for (let i = 0; i < hours.length; i += 1) {
      queued += await q.recordDueReminders(trx, hours[i], hours[i + 1] ?? null, now);
    }
    return queued;
  });
}

/** The `rsvp_confirmations` task: queues the confirmation e-mails of a batch of new RSVPs. */
export async function queueConfirmations(deps: Pick<Deps, 'db'>, eventId: number): Promise<number> {
  return deps.db.transaction(async (trx) => {
    await q.lockEvent(trx, eventId); // rsvp_submit holds it until commit: no RSVP is half-seen
    return q.queueConfirmationBatch(trx, eventId);
  });
}

/**
 * The `rsvp_confirmation_sweep` task, the safety net of the batches: every RSVP still waiting for
 * its confirmation after `graceMs` (its batch's job was lost in a crash, or failed for good) has it
 * queued now, and a batch left behind is closed, so the next RSVP starts a batch with a job of its
 * own. Each confirmation is still queued once: closing a batch clears the flag it queues by.
 */
export async function sweepConfirmations(deps: Pick<Deps, 'db'> & { clock: Clock }, graceMs: number): Promise<number> {
  const events = await q.eventsWithStaleConfirmations(deps.db, new Date(deps.clock.now().getTime() - graceMs));
  for (const eventId of events) await queueConfirmations(deps, eventId);
  return events.length;
}

/** Erases name, e-mail and note of RSVPs of events that ended more than RSVP_RETENTION_DAYS ago. */
export async function eraseExpiredRsvps(deps: Deps, now: Date): Promise<number> {
  const endedBefore = new Date(now.getTime() - deps.config.RSVP_RETENTION_DAYS * 24 * 3600_000);
  return q.eraseEndedBefore(deps.db, endedBefore, now);
}
