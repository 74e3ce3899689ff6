// Queries of attendee approval and the campaigns' block lists (knex only). Decisions about places
// run inside a transaction holding the event's lock (queries/rsvps lockEvent).
import type { Knex } from 'knex';
import type { RsvpRow, RsvpStatus } from '../db/tables';

type Db = Knex | Knex.Transaction;

/** Whether `emailHash` is on the block list of the campaign the event belongs to. */
export async function isBlockedFor(db: Db, eventId: number, emailHash: string): Promise<boolean> {
  const row = await db('campaign_blocks as b')
    .join('events as e', 'e.campaign_id', 'b.campaign_id')
    .where({ 'e.id': eventId, 'b.email_hash': emailHash })
    .first('b.campaign_id');
  return Boolean(row);
}

export async function addBlock(db: Db, campaignId: number, emailHash: string, userId: number, now: Date): Promise<void> {
  await db('campaign_blocks').insert({ campaign_id: campaignId, email_hash: emailHash, blocked_by: userId, created_at: now }).onConflict(['campaign_id', 'email_hash']).ignore();
}

/** RSVPs with an address still kept, on every event of a campaign (to find one person's by hash). */
export function withEmailInCampaign(db: Db, campaignId: number): Promise<Pick<RsvpRow, 'id' | 'event_id' | 'email' | 'status'>[]> {
  return db<RsvpRow>('rsvps as r')
    .join('events as e', 'e.id', 'r.event_id')
    .where('e.campaign_id', campaignId)
    .whereNotNull('r.email')
    .whereNull('r.erased_at')
    .select('r.id', 'r.event_id', 'r.email', 'r.status');
}

/** The event's requests, oldest first, locked for the decision. */
export function requested(trx: Knex.Transaction, eventId: number, ids: number[] | null): Promise<RsvpRow[]> {
  let query = trx<RsvpRow>('rsvps').where({ event_id: eventId, status: 'requested', blocked: false });
  if (ids) query = query.whereIn('id', ids);
  return query.orderBy([{ column: 'status_at' }, { column: 'id' }]).forUpdate();
}

export function findInEvent(trx: Knex.Transaction, eventId: number, id: number): Promise<RsvpRow | undefined> {
  return trx<RsvpRow>('rsvps').where({ event_id: eventId, id }).forUpdate().first();
}

export async function setStatus(db: Db, ids: number[], status: RsvpStatus, now: Date, extra: Partial<Pick<RsvpRow, 'blocked'>> = {}): Promise<void> {
  if (!ids.length) return;
  await db('rsvps').whereIn('id', ids).update({ status, status_at: now, updated_at: now, ...extra });
}

export async function markBlocked(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await db('rsvps').whereIn('id', ids).update({ blocked: true });
}

/** An RSVP from a blocked address: a request that no decision turns into a place. */
export async function insertBlocked(
  trx: Knex.Transaction,
  row: Pick<RsvpRow, 'event_id' | 'name' | 'email' | 'note' | 'role' | 'locale' | 'token'> & { now: Date },
): Promise<RsvpRow> {
  const { now, ...rest } = row;
  const [inserted] = await trx<RsvpRow>('rsvps')
    .insert({ ...rest, status: 'requested', blocked: true, status_at: now, created_at: now, updated_at: now })
    .returning('*');
  return inserted;
}

export function findByEmail(db: Db, eventId: number, email: string): Promise<RsvpRow | undefined> {
  return db<RsvpRow>('rsvps').where({ event_id: eventId }).whereRaw('lower(email) = lower(?)', [email]).first();
}
