// Hosts, their proposals and their sign-in links (issue 17): knex only.
import type { Knex } from 'knex';
import type { HostLinkRow, HostRow, ProposalRow, ProposalStatus } from '../db/tables';

export type ProposalInput = Omit<ProposalRow,
  'id' | 'status' | 'verified_at' | 'event_id' | 'decline_message' | 'decided_by' | 'decided_at' | 'digested_at' | 'created_at' | 'updated_at'>;

// ---- hosts ---------------------------------------------------------------------------------

export function findHost(db: Knex, id: number): Promise<HostRow | undefined> {
  return db<HostRow>('hosts').where({ id }).first();
}

export function findHostByEmail(db: Knex, campaignId: number, email: string): Promise<HostRow | undefined> {
  return db<HostRow>('hosts').where({ campaign_id: campaignId }).whereRaw('lower(email) = lower(?)', [email]).first();
}

/**
 * The campaign's host with this address, made on first use. Until the address is verified the name
 * follows the latest proposal; after, it stays (anyone may type someone else's address).
 */
export async function upsertHost(db: Knex, campaignId: number, email: string, name: string): Promise<HostRow> {
  const { rows } = await db.raw<{ rows: HostRow[] }>(
    `insert into hosts (campaign_id, email, name) values (?, ?, ?)
     on conflict (campaign_id, lower(email)) do update
       set name = case when hosts.verified_at is null then excluded.name else hosts.name end, updated_at = now()
     returning *`,
    [campaignId, email, name],
  );
  return rows[0];
}

export async function updateHost(db: Knex, id: number, changes: Partial<HostRow>): Promise<HostRow> {
  const [row] = await db<HostRow>('hosts').where({ id }).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
  return row;
}

export function hostsOfCampaign(db: Knex, campaignId: number): Promise<(HostRow & { pickets: string })[]> {
  return db('hosts as h').where('h.campaign_id', campaignId).whereNotNull('h.verified_at')
    .select('h.*', db.raw('(select count(*) from events e where e.host_id = h.id) as pickets'))
    .orderBy('h.name');
}

/** Ids of the pickets a host runs: what the policy lets them manage. */
export async function picketIdsOfHost(db: Knex, hostId: number): Promise<number[]> {
  const rows: { id: number }[] = await db('events').where({ host_id: hostId }).select('id');
  return rows.map((r) => r.id);
}

/** Hosts with nothing left (no proposal, no picket): erased with their address. */
export function deleteOrphanHosts(db: Knex): Promise<number> {
  return db('hosts as h')
    .whereNotExists(db('proposals as p').whereRaw('p.host_id = h.id'))
    .whereNotExists(db('events as e').whereRaw('e.host_id = h.id'))
    .delete();
}

// ---- proposals -----------------------------------------------------------------------------

export async function insertProposal(db: Knex, input: ProposalInput & { status: ProposalStatus }): Promise<ProposalRow> {
  const [row] = await db<ProposalRow>('proposals').insert(input as never).returning('*');
  return row;
}

export function findProposal(db: Knex, id: number): Promise<ProposalRow | undefined> {
  return db<ProposalRow>('proposals').where({ id }).first();
}

export function findProposalForUpdate(trx: Knex.Transaction, id: number): Promise<ProposalRow | undefined> {
  return trx<ProposalRow>('proposals').where({ id }).forUpdate().first();
}

export function findByVerifyHash(trx: Knex.Transaction, hash: string): Promise<ProposalRow | undefined> {
  return trx<ProposalRow>('proposals').where({ verify_token_hash: hash }).forUpdate().first();
}

export async function updateProposal(db: Knex, id: number, changes: Partial<ProposalRow>): Promise<ProposalRow> {
  const [row] = await db<ProposalRow>('proposals').where({ id }).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
  return row;
}

export type QueuedProposal = ProposalRow & { host_name: string; host_email: string; host_trusted: boolean; host_revoked_at: Date | null };

/** Proposals of the campaigns `ownerId` owns (all campaigns when null) in `statuses`, oldest first. */
export function proposalsFor(db: Knex, filter: { ownerId: number | null; campaignId?: number; statuses: ProposalStatus[] }, limit = 200): Promise<QueuedProposal[]> {
  const query = db('proposals as p').join('hosts as h', 'h.id', 'p.host_id').join('campaigns as c', 'c.id', 'p.campaign_id')
    .whereIn('p.status', filter.statuses)
    .select('p.*', 'h.name as host_name', 'h.email as host_email', 'h.trusted as host_trusted', 'h.revoked_at as host_revoked_at')
    .orderBy([{ column: 'p.starts_at' }, { column: 'p.id' }]).limit(limit);
  if (filter.ownerId !== null) query.where('c.owner_id', filter.ownerId);
  if (filter.campaignId !== undefined) query.where('p.campaign_id', filter.campaignId);
  return query;
}

/** Declined and never-verified proposals older than `before`: erased (retention). */
export function deleteStaleProposals(db: Knex, before: Date): Promise<number> {
  return db('proposals').whereIn('status', ['declined', 'proposed_unverified'])
    .where((w) => w.where((d) => d.where('status', 'declined').where('decided_at', '<', before))
      .orWhere((u) => u.where('status', 'proposed_unverified').where('created_at', '<', before)))
    .delete();
}

/** Verified proposals waiting for a decision that no digest has mentioned yet, with their campaign's owner. */
export function undigested(db: Knex): Promise<(ProposalRow & { owner_id: number; campaign_title: string })[]> {
  return db('proposals as p').join('campaigns as c', 'c.id', 'p.campaign_id')
    .where('p.status', 'proposed').whereNull('p.digested_at')
    .select('p.*', 'c.owner_id', 'c.title as campaign_title').orderBy('p.id');
}

export async function markDigested(db: Knex, ids: number[], at: Date): Promise<void> {
  if (ids.length) await db('proposals').whereIn('id', ids).update({ digested_at: at });
}

// ---- sign-in links ---------------------------------------------------------------------------

export async function insertLink(db: Knex, link: Pick<HostLinkRow, 'host_id' | 'token_hash' | 'expires_at'>): Promise<void> {
  await db('host_links').insert(link);
}

export function findLinkForUpdate(trx: Knex.Transaction, hash: string): Promise<HostLinkRow | undefined> {
  return trx<HostLinkRow>('host_links').where({ token_hash: hash }).forUpdate().first();
}

export async function useLink(db: Knex, id: number, at: Date): Promise<void> {
  await db('host_links').where({ id }).update({ used_at: at });
}

/** Links used or expired before `before`: nothing to keep. */
export function deleteOldLinks(db: Knex, before: Date): Promise<number> {
  return db('host_links').where('expires_at', '<', before).delete();
}

export async function setProposalsOpen(db: Knex, campaignId: number, open: boolean): Promise<void> {
  await db('campaigns').where({ id: campaignId }).update({ proposals_open: open, updated_at: db.fn.now() });
}

/** The campaigns `ownerId` owns (all when null), for the open-call switches. */
export function campaignsForCalls(db: Knex, ownerId: number | null): Promise<{ id: number; title: string; slug: string; proposals_open: boolean; status: string }[]> {
  const query = db('campaigns').where({ status: 'active' }).select('id', 'title', 'slug', 'proposals_open', 'status').orderBy('title');
  if (ownerId !== null) query.where({ owner_id: ownerId });
  return query;
}

export interface BoardRow {
  kind: 'proposal' | 'event';
  id: number;
  campaign_id: number;
  title: string;
  city: string;
  country: string;
  starts_at: Date;
  timezone: string;
  state: 'proposed' | 'approved' | 'confirmed';
}

/** The organisers' day-of-action board: waiting proposals, and the campaign's published pickets (confirmed when the organiser said so). */
export async function organiserBoard(db: Knex, campaignIds: number[]): Promise<BoardRow[]> {
  if (!campaignIds.length) return [];
  const { rows } = await db.raw<{ rows: BoardRow[] }>(
    `select 'proposal' as kind, id, campaign_id, title, city, country, starts_at, timezone, 'proposed' as state
       from proposals where status = 'proposed' and campaign_id = any(?)
     union all
     select 'event', id, campaign_id, title, city, country, starts_at, timezone,
            case when action_status = 'planned' then 'approved' else 'confirmed' end
       from events where status = 'published' and campaign_id = any(?) and ends_at > now() - interval '1 day'
     order by starts_at limit 500`,
    [campaignIds, campaignIds],
  );
  return rows;
}
