// Pickets and the demands they raise: knex only.
import type { Knex } from 'knex';
import type { CampaignRow, DemandRow, EventRow } from '../db/tables';
import { PUBLIC_EVENT_STATUSES } from '../domain/enums';

export type EventInput = Omit<EventRow, 'id' | 'created_at' | 'updated_at' | 'published_at' | 'cancelled_at' | 'host_id'> & { host_id?: number | null };

/** Events visitors may see: published, or cancelled (whose page stays with a notice). */
export const PUBLIC_STATUSES = PUBLIC_EVENT_STATUSES;

export function findEvent(db: Knex, id: number): Promise<EventRow | undefined> {
  return db<EventRow>('events').where({ id }).first();
}

/** Locks the row for the rest of the transaction, so two edits cannot interleave. */
export function findEventForUpdate(trx: Knex.Transaction, id: number): Promise<EventRow | undefined> {
  return trx<EventRow>('events').where({ id }).forUpdate().first();
}

export async function insertEvent(db: Knex, input: EventInput & { published_at?: Date | null }): Promise<EventRow> {
  const [row] = await db<EventRow>('events').insert(input as never).returning('*');
  return row;
}

export async function updateEvent(db: Knex, id: number, changes: Partial<EventRow>): Promise<EventRow> {
  const [row] = await db<EventRow>('events').where({ id }).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
  return row;
}

export async function deleteEvent(db: Knex, id: number): Promise<void> {
  await db('events').where({ id }).delete();
}

export async function setEventDemands(db: Knex, eventId: number, demandIds: number[]): Promise<void> {
  await db('event_demands').where({ event_id: eventId }).delete();
  if (demandIds.length) await db('event_demands').insert(demandIds.map((demand_id) => ({ event_id: eventId, demand_id })));
}

/** The demands each event raises, in the campaign's order. */
export async function demandsOfEvents(db: Knex, eventIds: number[]): Promise<Map<number, DemandRow[]>> {
  const result = new Map<number, DemandRow[]>(eventIds.map((id) => [id, []]));
  if (!eventIds.length) return result;
  const rows = await db('event_demands as ed')
    .join('demands as d', 'd.id', 'ed.demand_id')
    .whereIn('ed.event_id', eventIds)
    .orderBy([{ column: 'd.position' }, { column: 'd.id' }])
    .select('ed.event_id', 'd.*');
  for (const row of rows) result.get(row.event_id)?.push(row);
  return result;
}

export type CampaignSummary = Pick<CampaignRow, 'id' | 'slug' | 'title' | 'status' | 'owner_id' | 'target_country'>;

export function findCampaignSummary(db: Knex, id: number): Promise<CampaignSummary | undefined> {
  return db('campaigns').where({ id }).first('id', 'slug', 'title', 'status', 'owner_id', 'target_country');
}

export async function campaignSummaries(db: Knex, ids: number[]): Promise<Map<number, CampaignSummary>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows: CampaignSummary[] = await db('campaigns').whereIn('id', unique).select('id', 'slug', 'title', 'status', 'owner_id', 'target_country');
  return new Map(rows.map((r) => [r.id, r]));
}

/** Campaigns a picket can be attached to by someone: active ones, plus `ownerId`'s own (all when null). */
export function usableCampaigns(db: Knex, ownerId: number | null): Promise<CampaignSummary[]> {
  const query = db('campaigns').select('id', 'slug', 'title', 'status', 'owner_id', 'target_country').orderBy('title');
  if (ownerId !== null) query.where((q) => q.where({ status: 'active' }).orWhere({ owner_id: ownerId }));
  return query;
}

export function demandsOfCampaigns(db: Knex, campaignIds: number[]): Promise<DemandRow[]> {
  if (!campaignIds.length) return Promise.resolve([]);
  return db<DemandRow>('demands').whereIn('campaign_id', campaignIds).orderBy([{ column: 'position' }, { column: 'id' }]);
}

export function activeCampaigns(db: Knex, limit = 12): Promise<Pick<CampaignRow, 'id' | 'slug' | 'title' | 'target_country'>[]> {
  return db('campaigns').where({ status: 'active' }).orderBy('created_at', 'desc').limit(limit).select('id', 'slug', 'title', 'target_country');
}

/** Published pickets that have not ended yet, soonest first. */
export function upcomingEvents(db: Knex, now: Date, limit: number): Promise<EventRow[]> {
  return db<EventRow>('events').where({ status: 'published' }).where('ends_at', '>', now).orderBy('starts_at').limit(limit);
}

/** Pickets that have ended (cancelled ones too, so the record stays), latest first. */
export function pastEvents(db: Knex, now: Date, limit: number, offset: number): Promise<EventRow[]> {
  return db<EventRow>('events').whereIn('status', PUBLIC_STATUSES).where('ends_at', '<=', now)
    .orderBy('starts_at', 'desc').limit(limit).offset(offset);
}

export async function countPastEvents(db: Knex, now: Date): Promise<number> {
  const row = await db('events').whereIn('status', PUBLIC_STATUSES).where('ends_at', '<=', now).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** The organiser's own events (every event for admins: ownerId null), latest start first, a page at a time. */
export function eventsOwnedBy(db: Knex, ownerId: number | null, page: { limit: number; offset: number }): Promise<EventRow[]> {
  const query = db<EventRow>('events').orderBy([{ column: 'starts_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(page.limit).offset(page.offset);
  if (ownerId !== null) query.where({ owner_id: ownerId });
  return query;
}

export async function countOwnedBy(db: Knex, ownerId: number | null): Promise<number> {
  const query = db('events').count<{ n: string }[]>({ n: '*' });
  if (ownerId !== null) query.where({ owner_id: ownerId });
  return Number((await query)[0].n);
}

export interface EventFilter {
  from?: Date;
  to?: Date;
  campaignSlug?: string;
  country?: string;
}

function filtered(db: Knex, filter: EventFilter) {
  const query = db<EventRow>('events as e').whereIn('e.status', PUBLIC_STATUSES);
  if (filter.from) query.where('e.ends_at', '>=', filter.from);
  if (filter.to) query.where('e.starts_at', '<', filter.to);
  if (filter.country) query.where('e.country', filter.country);
  if (filter.campaignSlug) {
    query.whereIn('e.campaign_id', db('campaigns').select('id').where({ slug: filter.campaignSlug }));
  }
  return query;
}

export async function listPublicEvents(db: Knex, filter: EventFilter, page: { limit: number; offset: number }): Promise<{ rows: EventRow[]; total: number }> {
  // The total rides along with the page (one round trip); only a page past the end needs a count.
  const rows: (EventRow & { __total: string })[] = await filtered(db, filter)
    .select('e.*', db.raw('count(*) over () as "__total"'))
    .orderBy([{ column: 'e.starts_at' }, { column: 'e.id' }]).limit(page.limit).offset(page.offset);
  if (!rows.length) {
    const count = await filtered(db, filter).count({ n: '*' }).first();
    return { rows: [], total: Number((count as { n?: string } | undefined)?.n ?? 0) };
  }
  const total = Number(rows[0].__total);
  return { rows: rows.map(({ __total: _, ...event }) => event as EventRow), total };
}

/**
 * The event page in one round trip: the event, its campaign's summary and the demands it raises.
 * (The page is the busiest one on a day of action.)
 */
export async function findEventWithDetails(db: Knex, id: number): Promise<
  { event: EventRow; campaign: CampaignSummary | null; demands: DemandRow[] } | undefined
> {
  const row = await db('events as e')
    .where('e.id', id)
    .first(
      'e.*',
      db.raw(`(select json_build_object('id', c.id, 'slug', c.slug, 'title', c.title, 'status', c.status,
        'owner_id', c.owner_id, 'target_country', c.target_country) from campaigns c where c.id = e.campaign_id) as "__campaign"`),
      db.raw(`coalesce((select json_agg(json_build_object('id', d.id, 'campaign_id', d.campaign_id, 'kind', d.kind,
        'text', d.text, 'prisoner_id', d.prisoner_id, 'position', d.position) order by d.position, d.id)
        from event_demands ed join demands d on d.id = ed.demand_id where ed.event_id = e.id), '[]'::json) as "__demands"`),
    );
  if (!row) return undefined;
  const { __campaign: campaign, __demands: demands, ...event } = row;
  return { event: event as EventRow, campaign: campaign ?? null, demands: demands as DemandRow[] };
}
