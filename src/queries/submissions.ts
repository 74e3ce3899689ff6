// Submissions (photos and letters), upload claims and the few event/prisoner look-ups media needs.
import type { Knex } from 'knex';
import type { EventRow, HandinStatus, PrisonerRow, SubmissionKind, SubmissionRow, SubmissionStatus } from '../db/tables';

export type NewSubmission = Pick<SubmissionRow, 'event_id' | 'kind'> &
  Partial<Pick<SubmissionRow, 'storage_key' | 'media_type' | 'mime' | 'width' | 'height' | 'caption' | 'submitter_name' | 'letter_text' | 'status' | 'handin_status' | 'handin_to' | 'moderated_by' | 'moderated_at'>>;

export async function insert(db: Knex, rows: NewSubmission[]): Promise<SubmissionRow[]> {
  return db<SubmissionRow>('submissions').insert(rows).returning('*');
}

export function findById(db: Knex, id: number): Promise<SubmissionRow | undefined> {
  return db<SubmissionRow>('submissions').where({ id }).first();
}

/** The submission, locked until the transaction ends: moderators' decisions queue up here. */
export function lockById(trx: Knex.Transaction, id: number): Promise<SubmissionRow | undefined> {
  return trx<SubmissionRow>('submissions').where({ id }).forUpdate().first();
}

export function findByKey(db: Knex, key: string): Promise<SubmissionRow | undefined> {
  return db<SubmissionRow>('submissions').where({ storage_key: key }).first();
}

export async function update(db: Knex, id: number, patch: Partial<SubmissionRow>): Promise<SubmissionRow> {
  const [row] = await db<SubmissionRow>('submissions').where({ id }).update({ ...patch, updated_at: db.fn.now() }).returning('*');
  return row;
}

export interface ListOptions {
  kind?: SubmissionKind;
  limit?: number;
  offset?: number;
}

function ofEvent(db: Knex, eventId: number, statuses: SubmissionStatus[], kind?: SubmissionKind) {
  const query = db<SubmissionRow>('submissions').where({ event_id: eventId }).whereIn('status', statuses);
  if (kind) query.where({ kind });
  return query;
}

/** The event's submissions in these statuses, oldest first; all, or one page (limit/offset). */
export function listForEvent(db: Knex, eventId: number, statuses: SubmissionStatus[], options: ListOptions = {}): Promise<SubmissionRow[]> {
  const query = ofEvent(db, eventId, statuses, options.kind).orderBy('created_at').orderBy('id');
  if (options.limit !== undefined) query.limit(options.limit).offset(options.offset ?? 0);
  return query;
}

export async function countForEvent(db: Knex, eventId: number, statuses: SubmissionStatus[], kind?: SubmissionKind): Promise<number> {
  const [row] = await ofEvent(db, eventId, statuses, kind).count<{ n: string }[]>({ n: '*' });
  return Number(row.n);
}

/** Approved photos and letters of a campaign's published pickets (its report-backs), oldest first. */
export function approvedForCampaign(db: Knex, campaignId: number): Promise<SubmissionRow[]> {
  return db('submissions as s')
    .join('events as e', 'e.id', 's.event_id')
    .where({ 'e.campaign_id': campaignId, 'e.status': 'published', 's.status': 'approved' })
    .select('s.*')
    .orderBy('s.created_at')
    .orderBy('s.id');
}

export type QueueRow = SubmissionRow & { event_title: string; event_starts_at: Date; event_timezone: string };

/** Pending submissions of the events `ownerId` organises (every event when null: admins). */
export function listPending(db: Knex, ownerId: number | null, page: { limit: number; offset: number }): Promise<QueueRow[]> {
  const q = db('submissions as s')
    .join('events as e', 'e.id', 's.event_id')
    .where('s.status', 'pending')
    .select('s.*', 'e.title as event_title', 'e.starts_at as event_starts_at', 'e.timezone as event_timezone')
    .orderBy('s.created_at')
    .orderBy('s.id')
    .limit(page.limit)
    .offset(page.offset);
  if (ownerId !== null) q.where('e.owner_id', ownerId);
  return q;
}

export async function countPending(db: Knex, ownerId: number | null): Promise<number> {
  const q = db('submissions as s').join('events as e', 'e.id', 's.event_id').where('s.status', 'pending').count<{ n: string }[]>({ n: '*' });
  if (ownerId !== null) q.where('e.owner_id', ownerId);
  return Number((await q)[0].n);
}

export type HandinSummary = Record<HandinStatus, number> & { total: number };

/** Letters handed in, per event and status; rejected letters do not count. */
export async function handinSummary(db: Knex, eventIds: number[]): Promise<Map<number, HandinSummary>> {
  const result = new Map<number, HandinSummary>();
  if (!eventIds.length) return result;
  const rows: { event_id: number; handin_status: HandinStatus; n: string }[] = await db('submissions')
    .whereIn('event_id', eventIds)
    .where('kind', 'letter')
    .whereNot('status', 'rejected')
    .whereNotNull('handin_status')
    .groupBy('event_id', 'handin_status')
    .select('event_id', 'handin_status', db.raw('count(*) as n'));
  for (const row of rows) {
    const summary = result.get(row.event_id) ?? { delivered: 0, refused: 0, posted: 0, emailed: 0, total: 0 };
    summary[row.handin_status] += Number(row.n);
    summary.total += Number(row.n);
    result.set(row.event_id, summary);
  }
  return result;
}

export function findEvent(db: Knex, id: number): Promise<EventRow | undefined> {
  return db<EventRow>('events').where({ id }).first();
}

export function findPrisoner(db: Knex, id: number): Promise<(PrisonerRow & { owner_id: number }) | undefined> {
  return db('prisoners as p').join('campaigns as c', 'c.id', 'p.campaign_id').where('p.id', id).select('p.*', 'c.owner_id').first();
}

export function findPrisonerByPortrait(db: Knex, key: string): Promise<PrisonerRow | undefined> {
  return db<PrisonerRow>('prisoners').where({ portrait_key: key }).first();
}

export async function setPortrait(db: Knex, prisonerId: number, key: string): Promise<void> {
  await db('prisoners').where({ id: prisonerId }).update({ portrait_key: key, updated_at: db.fn.now() });
}

// Upload claims: files being written whose row does not exist yet.
export async function claim(db: Knex, key: string): Promise<void> {
  await db('upload_claims').insert({ storage_key: key });
}

export async function release(db: Knex, keys: string[]): Promise<void> {
  if (keys.length) await db('upload_claims').whereIn('storage_key', keys).delete();
}

/** Keys that must be kept: referenced by a row, or claimed less than `since` ago. */
export async function keysInUse(db: Knex, claimedAfter: Date): Promise<Set<string>> {
  const [subs, portraits, claims] = await Promise.all([
    db('submissions').whereNotNull('storage_key').pluck('storage_key'),
    db('prisoners').whereNotNull('portrait_key').pluck('portrait_key'),
    db('upload_claims').where('created_at', '>', claimedAfter).pluck('storage_key'),
  ]);
  return new Set<string>([...subs, ...portraits, ...claims]);
}

export async function dropStaleClaims(db: Knex, before: Date): Promise<void> {
  await db('upload_claims').where('created_at', '<=', before).delete();
}
