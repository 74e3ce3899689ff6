// The places directory: embassies, consulates, squares.
import type { Knex } from 'knex';
import type { VenueRow } from '../db/tables';

export type VenueInput = Omit<VenueRow, 'id' | 'created_at' | 'updated_at'>;

/** Every venue, by country then city then name (for the admin list and the event form). */
export function listVenues(db: Knex, filter: { kind?: VenueRow['kind']; represents?: string } = {}): Promise<VenueRow[]> {
  const query = db<VenueRow>('venues').orderBy([{ column: 'country' }, { column: 'city' }, { column: 'name' }]);
  if (filter.kind) query.where({ kind: filter.kind });
  if (filter.represents) query.where({ represents: filter.represents });
  return query;
}

/** Venues whose name, city or country code contains `text` (all when empty), at most `limit`, and how many match. */
export async function searchVenues(db: Knex, text: string, limit: number): Promise<{ venues: VenueRow[]; total: number }> {
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const matching = () => {
    const query = db<VenueRow>('venues');
    if (text) query.where((w) => w.whereILike('name', like).orWhereILike('city', like).orWhereILike('country', like));
    return query;
  };
  const [venues, [count]] = await Promise.all([
    matching().orderBy([{ column: 'country' }, { column: 'city' }, { column: 'name' }]).limit(limit),
    matching().count<{ n: string }[]>({ n: '*' }),
  ]);
  return { venues, total: Number(count.n) };
}

export function findVenue(db: Knex, id: number): Promise<VenueRow | undefined> {
  return db<VenueRow>('venues').where({ id }).first();
}

export function findVenueByKey(db: Knex, key: { name: string; city: string; country: string }): Promise<VenueRow | undefined> {
  return db<VenueRow>('venues').where(key).first();
}

export async function insertVenue(db: Knex, venue: VenueInput): Promise<VenueRow> {
  const [row] = await db<VenueRow>('venues').insert(venue).returning('*');
  return row;
}

export async function updateVenue(db: Knex, id: number, venue: VenueInput): Promise<VenueRow | undefined> {
  const [row] = await db<VenueRow>('venues').where({ id }).update({ ...venue, updated_at: db.fn.now() }).returning('*');
  return row;
}

/** Inserts or updates by the natural key (name, city, country): imports and seeds can run twice. */
export async function upsertVenue(db: Knex, venue: VenueInput): Promise<VenueRow> {
  const [row] = await db<VenueRow>('venues')
    .insert(venue)
    .onConflict(['name', 'city', 'country'])
    .merge({ ...venue, updated_at: db.fn.now() } as never)
    .returning('*');
  return row;
}
