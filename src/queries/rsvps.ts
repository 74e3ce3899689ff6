// RSVP queries (knex only). Anything that decides who is going runs inside a transaction that
// holds the event row's lock (lockEvent), so counts cannot change underneath it.
import type { Knex } from 'knex';
import type { RsvpState } from '../domain/enums';
import type { EventMessageRow, EventRow, RsvpRole, RsvpRow, RsvpStatus } from '../db/tables';

type Db = Knex | Knex.Transaction;

export function findEvent(db: Db, id: number): Promise<EventRow | undefined> {
  return db<EventRow>('events').where({ id }).first();
}

/** Locks the event row until the transaction ends: RSVPs to one event queue up here. */
export async function lockEvent(trx: Knex.Transaction, id: number): Promise<EventRow | undefined> {
  const { rows } = await trx.raw<{ rows: EventRow[] }>('select * from events where id = ? for update', [id]);
  return rows[0];
}

export type SubmitOutcome = 'inserted' | 'existing' | 'missing' | 'draft' | 'cancelled' | 'past' | 'email_required' | 'full';

/**
 * A new RSVP in one statement (and one transaction) through the rsvp_submit function of the
 * migration: it locks the event row, decides going or waitlisted, inserts and queues the
 * confirmation. `db` must not be inside a transaction the caller keeps open (the lock would stay).
 */
export async function submit(
  db: Knex,
  row: Pick<RsvpRow, 'event_id' | 'name' | 'email' | 'note' | 'role' | 'locale' | 'token'> & { now: Date },
): Promise<{ outcome: SubmitOutcome; rsvpId: number | null; status: RsvpStatus | null }> {
  const { rows } = await db.raw<{ rows: { outcome: SubmitOutcome; rsvp_id: number | null; rsvp_status: RsvpStatus | null }[] }>(
    'select * from rsvp_submit(?, ?, ?, ?, ?, ?, ?, ?)',
    [row.event_id, row.name, row.email, row.note, row.role, row.locale, row.token, row.now],
  );
  return { outcome: rows[0].outcome, rsvpId: rows[0].rsvp_id, status: rows[0].rsvp_status };
}

export async function update(
  db: Db,
  id: number,
  changes: Partial<Pick<RsvpRow, 'name' | 'note' | 'role' | 'locale' | 'status' | 'status_at'>> & { updated_at: Date },
): Promise<RsvpRow> {
  const [row] = await db<RsvpRow>('rsvps').where({ id }).update(changes).returning('*');
  return row;
}

export function findByToken(db: Db, token: string): Promise<RsvpRow | undefined> {
  return db<RsvpRow>('rsvps').where({ token }).first();
}

export function findById(db: Db, id: number): Promise<RsvpRow | undefined> {
  return db<RsvpRow>('rsvps').where({ id }).first();
}

/** Whether the event takes RSVPs now: the SQL function rsvp_state is the only definition. */
export async function state(db: Db, eventId: number, now: Date): Promise<RsvpState | null> {
  const { rows } = await db.raw<{ rows: { state: RsvpState | null }[] }>('select rsvp_state(?, ?) as state', [eventId, now]);
  return rows[0].state;
}

/** Fills free places from the waitlist in the order people joined it (rsvp_promote); returns who. */
export async function promote(trx: Knex.Transaction, eventId: number, now: Date): Promise<number[]> {
  const { rows } = await trx.raw<{ rows: { id: number }[] }>('select rsvp_promote as id from rsvp_promote(?, ?)', [eventId, now]);
  return rows.map((r) => r.id);
}

export async function goingCount(db: Db, eventId: number): Promise<number> {
  const row = await db('rsvps').where({ event_id: eventId, status: 'going' }).count<{ n: number }>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export interface Counts {
  byStatus: Record<RsvpStatus, number>;
  byRole: Record<RsvpRole, number>;
}

/** Counts by status, and by role among those going. */
export async function counts(db: Db, eventId: number): Promise<Counts> {
  const rows = await db('rsvps').where({ event_id: eventId }).select('status', 'role').count<{ status: RsvpStatus; role: RsvpRole; n: number }[]>({ n: '*' }).groupBy('status', 'role');
  const result: Counts = { byStatus: { requested: 0, going: 0, waitlisted: 0, declined: 0, cancelled: 0 }, byRole: { attendee: 0, steward: 0, speaker: 0 } };
  for (const r of rows) {
    result.byStatus[r.status] += Number(r.n);
    if (r.status === 'going') result.byRole[r.role] += Number(r.n);
  }
  return result;
}

/** Requests first (they wait for a decision), then going, then the waitlist in its order, then the rest; all of them, or one page. */
export function listForEvent(db: Db, eventId: number, page?: { limit: number; offset: number }): Promise<RsvpRow[]> {
  const query = db<RsvpRow>('rsvps')
    .where({ event_id: eventId })
    .orderByRaw("case status when 'requested' then 0 when 'going' then 1 when 'waitlisted' then 2 else 3 end")
    .orderBy('status_seq');
  if (page) query.limit(page.limit).offset(page.offset);
  return query;
}

/**
 * Closes the event's confirmation batch: queues a confirmation e-mail job for every RSVP still
 * waiting for one, in one statement (add_jobs). The caller holds the event lock, so no RSVP
 * being submitted can slip between closing the batch and collecting its RSVPs.
 */
export async function queueConfirmationBatch(trx: Knex.Transaction, eventId: number): Promise<number> {
  const { rows } = await trx.raw<{ rows: { n: number }[] }>(
    `with closed as (
       delete from rsvp_confirmation_batches where event_id = ?
     ), pending as (
       update rsvps set confirmation_pending = false where event_id = ? and confirmation_pending returning id
     )
     select count(*)::int as n from graphile_worker.add_jobs(
       (select coalesce(array_agg(row('rsvp_mail', json_build_object('rsvpId', id, 'kind', 'confirmation'), null, null, 25, null, null, null)::graphile_worker.job_spec order by id), '{}')
          from pending)
     )`,
    [eventId, eventId],
  );
  return rows[0].n;
}

/** Events with RSVPs waiting for their confirmation since before `before`, or a batch without any. */
export async function eventsWithStaleConfirmations(db: Db, before: Date): Promise<number[]> {
  const { rows } = await db.raw<{ rows: { event_id: number }[] }>(
    `select distinct event_id from rsvps where confirmation_pending and created_at < ?
     union
     select event_id from rsvp_confirmation_batches b
      where not exists (select 1 from rsvps r where r.event_id = b.event_id and r.confirmation_pending)`,
    [before],
  );
  return rows.map((r) => r.event_id);
}

/** Queues one `rsvp_mail` job. */
export async function queueMail(db: Db, rsvpId: number, payload: Record<string, unknown>): Promise<void> {
  await db.raw("select graphile_worker.add_job('rsvp_mail', ?::json, max_attempts => 25)", [
    JSON.stringify({ rsvpId, ...payload }),
  ]);
}

/** Queues one `rsvp_mail` job per RSVP of the event in `statuses` that has an e-mail; returns how many. */
export async function queueMailToEvent(
  db: Db,
  eventId: number,
  statuses: RsvpStatus[],
  payload: Record<string, unknown>,
): Promise<number> {
  const { rows } = await db.raw<{ rows: unknown[] }>(
    `select graphile_worker.add_job('rsvp_mail', (jsonb_build_object('rsvpId', id) || ?::jsonb)::json, max_attempts => 25)
       from rsvps
      where event_id = ? and status = any(?) and email is not null and erased_at is null
      order by id`,
    [JSON.stringify(payload), eventId, statuses],
  );
  return rows.length;
}

/** The instant of an "N hours before" reminder: whole days keep the wall-clock time in the event's zone. */
function reminderInstantSql(hours: number): string {
  if (!Number.isInteger(hours * 60)) throw new Error(`bad reminder hours: ${hours}`);
  return hours % 24 === 0
    ? `((e.starts_at at time zone e.timezone) - make_interval(days => ${hours / 24})) at time zone e.timezone`
    : `e.starts_at - make_interval(mins => ${hours * 60})`;
}

/**
 * Records and queues the reminders of kind `hours` that are due at `now`: the reminder's instant
 * has passed, the next (shorter) reminder's has not, and the RSVP existed before the instant.
 * The insert and the queueing are one statement; the primary key makes a second send impossible.
 */
export async function recordDueReminders(db: Db, hours: number, nextHours: number | null, now: Date): Promise<number> {
  const instant = reminderInstantSql(hours);
  const until = nextHours === null ? 'e.starts_at' : reminderInstantSql(nextHours);
  const horizon = new Date(now.getTime() + (hours + 48) * 3600_000);
  const { rows } = await db.raw<{ rows: unknown[] }>(
    `with due as (
       select r.id
         from rsvps r
         join events e on e.id = r.event_id
        where e.status = 'published' and e.starts_at > ? and e.starts_at <= ?
          and r.status = 'going' and r.email is not null and r.erased_at is null
          and ${instant} <= ? and ? < ${until}
          and r.created_at <= ${instant}
     ), recorded as (
       insert into rsvp_reminders (rsvp_id, kind, sent_at)
       select id, ?, ? from due
       on conflict do nothing
       returning rsvp_id
     )
     select graphile_worker.add_job('rsvp_mail', json_build_object('rsvpId', rsvp_id, 'kind', 'reminder', 'hours', ?::float), max_attempts => 25)
       from recorded`,
    [now, horizon, now, now, String(hours), now, hours],
  );
  return rows.length;
}

/** Erases name, e-mail and note of RSVPs of events that ended before `endedBefore`; status and role stay for counts. */
export async function eraseEndedBefore(db: Db, endedBefore: Date, now: Date): Promise<number> {
  return db('rsvps')
    .whereNull('erased_at')
    .whereIn('event_id', db('events').select('id').where('ends_at', '<', endedBefore))
    .update({ name: null, email: null, note: '', erased_at: now, updated_at: now });
}

export async function insertMessage(db: Db, row: Omit<EventMessageRow, 'id' | 'created_at'> & { created_at: Date }): Promise<EventMessageRow> {
  const [inserted] = await db<EventMessageRow>('event_messages').insert(row).returning('*');
  return inserted;
}

export async function setMessageRecipients(db: Db, id: number, recipients: number): Promise<void> {
  await db('event_messages').where({ id }).update({ recipients });
}

export function findMessage(db: Db, id: number): Promise<EventMessageRow | undefined> {
  return db<EventMessageRow>('event_messages').where({ id }).first();
}

export function listMessages(db: Db, eventId: number): Promise<EventMessageRow[]> {
  return db<EventMessageRow>('event_messages').where({ event_id: eventId }).orderBy('created_at', 'desc').orderBy('id', 'desc');
}
