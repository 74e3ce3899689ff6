// Campaigns, their demands and prisoner profiles; and the campaign's pickets as the public sees them.
import type { Knex } from 'knex';
import type { CampaignRow, DemandRow, EventRow, PrisonerRow } from '../db/tables';
import { PUBLIC_EVENT_STATUSES } from '../domain/enums';

export type CampaignInput = Pick<CampaignRow, 'slug' | 'title' | 'description' | 'target_country' | 'slogans' | 'language' | 'status'>;
export type DemandInput = Pick<DemandRow, 'kind' | 'text' | 'prisoner_id'>;
export type PrisonerInput = Pick<PrisonerRow, 'name' | 'story' | 'status' | 'since'>;

/** Statuses the public may see; drafts never leave the organiser area. */
export { PUBLIC_EVENT_STATUSES };

export function listCampaigns(db: Knex, filter: { ownerId?: number; status?: CampaignRow['status'] } = {}): Promise<CampaignRow[]> {
  const query = db<CampaignRow>('campaigns').orderBy([{ column: 'status' }, { column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
  if (filter.ownerId !== undefined) query.where({ owner_id: filter.ownerId });
  if (filter.status) query.where({ status: filter.status });
  return query;
}

export function findCampaign(db: Knex, id: number): Promise<CampaignRow | undefined> {
  return db<CampaignRow>('campaigns').where({ id }).first();
}

export function findCampaignBySlug(db: Knex, slug: string): Promise<CampaignRow | undefined> {
  return db<CampaignRow>('campaigns').where({ slug }).first();
}

export async function slugTaken(db: Knex, slug: string, exceptId?: number): Promise<boolean> {
  const query = db('campaigns').where({ slug }).first('id');
  if (exceptId !== undefined) query.whereNot({ id: exceptId });
  return Boolean(await query);
}

export async function insertCampaign(db: Knex, campaign: CampaignInput & { owner_id: number }): Promise<CampaignRow> {
  const [row] = await db<CampaignRow>('campaigns').insert(campaign).returning('*');
  return row;
}

export async function updateCampaign(db: Knex, id: number, campaign: CampaignInput): Promise<CampaignRow> {
  const [row] = await db<CampaignRow>('campaigns').where({ id }).update({ ...campaign, updated_at: db.fn.now() }).returning('*');
  return row;
}

export function listDemands(db: Knex, campaignId: number): Promise<DemandRow[]> {
  return db<DemandRow>('demands').where({ campaign_id: campaignId }).orderBy([{ column: 'position' }, { column: 'id' }]);
}

export function findDemand(db: Knex, campaignId: number, id: number): Promise<DemandRow | undefined> {
  return db<DemandRow>('demands').where({ campaign_id: campaignId, id }).first();
}

export async function insertDemand(db: Knex, campaignId: number, demand: DemandInput): Promise<DemandRow> {
  const last = await db('demands').where({ campaign_id: campaignId }).max({ p: 'position' }).first();
  const [row] = await db<DemandRow>('demands')
    .insert({ ...demand, campaign_id: campaignId, position: Number(last?.p ?? -1) + 1 })
    .returning('*');
  return row;
}

export async function updateDemand(db: Knex, campaignId: number, id: number, demand: DemandInput): Promise<void> {
  await db('demands').where({ campaign_id: campaignId, id }).update({ ...demand, updated_at: db.fn.now() });
}

export async function deleteDemand(db: Knex, campaignId: number, id: number): Promise<void> {
  await db('demands').where({ campaign_id: campaignId, id }).delete();
}

/** Points the given demands of a campaign at a prisoner, and unlinks the prisoner's other demands. */
export async function linkDemands(db: Knex, campaignId: number, prisonerId: number, demandIds: number[]): Promise<void> {
  await db('demands').where({ campaign_id: campaignId, prisoner_id: prisonerId }).whereNotIn('id', demandIds)
    .update({ prisoner_id: null, updated_at: db.fn.now() });
  if (demandIds.length) {
    await db('demands').where({ campaign_id: campaignId }).whereIn('id', demandIds)
      .update({ prisoner_id: prisonerId, updated_at: db.fn.now() });
  }
}

export function listPrisoners(db: Knex, campaignId: number): Promise<PrisonerRow[]> {
  return db<PrisonerRow>('prisoners').where({ campaign_id: campaignId }).orderBy('id');
}

export function findPrisoner(db: Knex, campaignId: number, id: number): Promise<PrisonerRow | undefined> {
  return db<PrisonerRow>('prisoners').where({ campaign_id: campaignId, id }).first();
}

export async function insertPrisoner(db: Knex, campaignId: number, prisoner: PrisonerInput): Promise<PrisonerRow> {
  const [row] = await db<PrisonerRow>('prisoners').insert({ ...prisoner, campaign_id: campaignId }).returning('*');
  return row;
}

export async function updatePrisoner(db: Knex, campaignId: number, id: number, prisoner: PrisonerInput): Promise<void> {
  await db('prisoners').where({ campaign_id: campaignId, id }).update({ ...prisoner, updated_at: db.fn.now() });
}

export async function deletePrisoner(db: Knex, campaignId: number, id: number): Promise<void> {
  await db('prisoners').where({ campaign_id: campaignId, id }).delete();
}

/** For each demand of the campaign: how many published pickets raise it. */
export async function picketsPerDemand(db: Knex, campaignId: number): Promise<Map<number, number>> {
  const rows: { demand_id: number; n: string }[] = await db('event_demands as ed')
    .join('events as e', 'e.id', 'ed.event_id')
    .join('demands as d', 'd.id', 'ed.demand_id')
    .where('d.campaign_id', campaignId)
    .where('e.status', 'published')
    .groupBy('ed.demand_id')
    .select('ed.demand_id', db.raw('count(*) as n'));
  return new Map(rows.map((r) => [r.demand_id, Number(r.n)]));
}

/** The campaign's pickets the public may see (published or cancelled), in start order. */
export function publicCampaignEvents(db: Knex, campaignId: number): Promise<EventRow[]> {
  return db<EventRow>('events')
    .where({ campaign_id: campaignId })
    .whereIn('status', PUBLIC_EVENT_STATUSES)
    .orderBy([{ column: 'starts_at' }, { column: 'id' }]);
}

export type CampaignEventSummary = Pick<EventRow,
  'id' | 'slug' | 'title' | 'kind' | 'status' | 'action_status' | 'address' | 'city' | 'country' | 'latitude' | 'longitude'
  | 'meeting_point' | 'meeting_point_private' | 'timezone' | 'starts_at' | 'ends_at'>;

/** The same pickets with only what the campaign page lists (no descriptions: a campaign may have a thousand). */
export function publicCampaignEventSummaries(db: Knex, campaignId: number, page?: { limit: number; offset: number }): Promise<CampaignEventSummary[]> {
  const query = db('events')
    .where({ campaign_id: campaignId })
    .whereIn('status', PUBLIC_EVENT_STATUSES)
    .orderBy([{ column: 'starts_at' }, { column: 'id' }])
    .select('id', 'slug', 'title', 'kind', 'status', 'action_status', 'address', 'city', 'country', 'latitude', 'longitude',
      'meeting_point', 'meeting_point_private', 'timezone', 'starts_at', 'ends_at');
  if (page) query.limit(page.limit).offset(page.offset);
  return query;
}

export async function countPublicCampaignEvents(db: Knex, campaignId: number): Promise<number> {
  const [row] = await db('events').where({ campaign_id: campaignId }).whereIn('status', PUBLIC_EVENT_STATUSES).count<{ n: string }[]>({ n: '*' });
  return Number(row.n);
}

/** Changes whenever a public picket of the campaign is added, removed or edited: keys the feed cache. */
export async function publicEventsStamp(db: Knex, campaignId: number): Promise<string> {
  const row = await db('events')
    .where({ campaign_id: campaignId })
    .whereIn('status', PUBLIC_EVENT_STATUSES)
    .first(db.raw('count(*)::int as n'), db.raw('coalesce(sum(id), 0)::bigint as ids'), db.raw('max(updated_at) as latest'));
  return `${row?.n ?? 0}:${row?.ids ?? 0}:${row?.latest ? new Date(row.latest).getTime() : 0}`;
}

/** How many countries (one capital each, on a day of action at embassies) the campaign's published pickets cover. */
export async function countriesCovered(db: Knex, campaignId: number): Promise<number> {
  const row = await db('events').where({ campaign_id: campaignId, status: 'published' }).countDistinct<{ n: string }[]>({ n: 'country' });
  return Number(row[0]?.n ?? 0);
}
