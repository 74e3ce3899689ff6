// The places directory: embassies, consulates, squares; shared (owner_id null) or an organiser's own.
import type { Knex } from 'knex';
import type { VenueRow } from '../db/tables';

export type VenueInput = Omit<VenueRow, 'id' | 'owner_id' | 'created_at' | 'updated_at'>;

/**
 * Which places a list may hold: every place ('all', an admin), the shared directory only
 * ('shared'), or the shared places and one account's own (that account's id); see policies' placeScope.
 */
export type VenueScope = 'all' | 'shared' | number;

function visibleTo(query: Knex.QueryBuilder, scope: VenueScope): Knex.QueryBuilder {
  if (scope === 'shared') query.whereNull('owner_id');
  else if (scope !== 'all') query.where((w) => w.whereNull('owner_id').orWhere('owner_id', scope));
  return query;
}

/** Every venue, by country then city then name (for the admin list and the event form). */
export function listVenues(db: Knex, filter: { kind?: VenueRow['kind']; represents?: string } = {}): Promise<VenueRow[]> {
  const query = db<VenueRow>('venues').orderBy([{ column: 'country' }, { column: 'city' }, { column: 'name' }]);
  if (filter.kind) query.where({ kind: filter.kind });
  if (filter.represents) query.where({ represents: filter.represents });
  return query;
}

/** Every venue with the name of the organiser who owns it (null for shared ones), for the admin's list. */
export function listVenuesWithOwners(db: Knex): Promise<(VenueRow & { owner_name: string | null })[]> {
  return db({ v: 'venues' }).leftJoin({ u: 'users' }, 'u.id', 'v.owner_id')
    .select('v.*', 'u.name as owner_name')
    .orderBy([{ column: 'v.country' }, { column: 'v.city' }, { column: 'v.name' }]);
}

/** One organiser's own places. */
export function listOwnVenues(db: Knex, ownerId: number): Promise<VenueRow[]> {
  return db<VenueRow>('venues').where({ owner_id: ownerId }).orderBy([{ column: 'country' }, { column: 'city' }, { column: 'name' }]);
}

export interface VenueSearch {
  /** Part of the name, city or country code; all when empty. */
  text: string;
  /** Only places in this city (any case) and country. */
  city?: { name: string; country: string };
  scope: VenueScope;
  limit: number;
}

/** Venues `scope` may use that match the search, at most `limit`, and how many match. */
export async function searchVenues(db: Knex, search: VenueSearch): Promise<{ venues: VenueRow[]; total: number }> {
  const { text, city, scope, limit } = search;
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const matching = () => {
    const query = visibleTo(db('venues'), scope);
    if (text) query.where((w) => w.whereILike('name', like).orWhereILike('city', like).orWhereILike('country', like));
    if (city) query.whereRaw('lower(city) = lower(?)', [city.name]).where({ country: city.country });
    return query;
  };
  const [venues, [count]] = await Promise.all([
    matching().select('*').orderBy([{ column: 'country' }, { column: 'city' }, { column: 'name' }]).limit(limit),
    matching().count<{ n: string }[]>({ n: '*' }),
  ]);
  return { venues, total: Number(count.n) };
}

export function findVenue(db: Knex, id: number): Promise<VenueRow | undefined> {
  return db<VenueRow>('venues').where({ id }).first();
}

/** The shared place (ownerId null) or someone's own place of that name in that city. */
export function findVenueByKey(db: Knex, key: { name: string; city: string; country: string }, ownerId: number | null = null): Promise<VenueRow | undefined> {
  const query = db<VenueRow>('venues').where(key);
  if (ownerId === null) query.whereNull('owner_id');
  else query.where({ owner_id: ownerId });
  return query.first();
}

export async function insertVenue(db: Knex, venue: VenueInput, ownerId: number | null = null): Promise<VenueRow> {
  const [row] = await db<VenueRow>('venues').insert({ ...venue, owner_id: ownerId }).returning('*');
  return row;
}

/** Changes what a place is and where; never whose it is. */
export async function updateVenue(db: Knex, id: number, venue: VenueInput): Promise<VenueRow | undefined> {
  const [row] = await db<VenueRow>('venues').where({ id }).update({ ...venue, updated_at: db.fn.now() }).returning('*');
  return row;
}

/** Inserts or updates a shared place by its natural key (name, city, country): imports and seeds can run twice. */
export async function upsertVenue(db: Knex, venue: VenueInput): Promise<VenueRow> {
  const [row] = await db<VenueRow>('venues')
    .insert({ ...venue, owner_id: null })
    .onConflict(db.raw('(name, city, country) where owner_id is null') as never)
    .merge({ ...venue, updated_at: db.fn.now() } as never)
    .returning('*');
  return row;
}
