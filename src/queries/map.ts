// Reads for the map of pickets: the public points, the options of its filters, and
// the pickets of campaigns (to know which points a campaign's change touches). knex only.
import type { Knex } from 'knex';
import type { ActionStatus, EventKind, EventStatus } from '../db/tables';
import { HANDIN_STATUSES, PUBLIC_EVENT_STATUSES } from '../domain/enums';

/** A bound of a date range: a calendar day (compared with the picket's local day) or an instant. */
export type Bound = { kind: 'date'; value: string } | { kind: 'instant'; value: Date };

export interface MapFilters {
  campaign?: string;
  country?: string;
  kind?: EventKind;
  from?: Bound;
  to?: Bound;
  /**
   * Relative to `now`: still to end, already ended, or (in each picket's own time zone) on the
   * current day or in the current week, so "today" means the same wherever the viewer is.
   */
  when?: 'today' | 'week' | 'upcoming' | 'past';
  /** [minLon, minLat, maxLon, maxLat]; minLon > maxLon crosses the antimeridian. */
  bbox?: [number, number, number, number];
  /** Only these events (used to fill in points missing from a cache). */
  ids?: number[];
  now: Date;
}

export type HandIn = 'delivered' | 'refused' | 'posted' | 'emailed';

export interface MapPointRow {
  id: number;
  slug: string;
  title: string;
  kind: EventKind;
  status: EventStatus;
  action_status: ActionStatus;
  /** Instants as epoch milliseconds, and the event zone's offset from UTC then, in seconds. */
  starts_ms: number;
  ends_ms: number;
  starts_offset: number;
  ends_offset: number;
  timezone: string;
  city: string;
  country: string;
  /** Already rounded to 0.01° when the meeting point is private: the exact point never leaves SQL. */
  longitude: number;
  latitude: number;
  approximate: boolean;
  campaign_slug: string | null;
  campaign_title: string | null;
  demands: string[];
  going: number;
  photo_key: string | null;
  photo_count: number;
  hand_in: HandIn | null;
}

// The public point: private meeting points are rounded here, and the bbox filter uses the same
// rounded point, so a tiny bbox cannot be used to search for the exact place.
const PUBLIC_LON = `case when e.meeting_point_private then round(e.longitude::numeric, 2)::float8 else e.longitude end`;
const PUBLIC_LAT = `case when e.meeting_point_private then round(e.latitude::numeric, 2)::float8 else e.latitude end`;
const LOCAL_DAY = `(e.starts_at at time zone e.timezone)::date`;
const LOCAL_END_DAY = `((e.ends_at - interval '1 microsecond') at time zone e.timezone)::date`;

/** The zone's offset from UTC at an instant, in seconds (changes with daylight saving). */
function zoneOffset(column: string): string {
  return `extract(epoch from (${column} at time zone e.timezone) - (${column} at time zone 'UTC'))::int`;
}

function applyFilters(q: Knex.QueryBuilder, f: MapFilters): Knex.QueryBuilder {
  q.whereIn('e.status', PUBLIC_EVENT_STATUSES);
  if (f.ids) q.whereRaw('e.id = any(?::int[])', [f.ids]);
  if (f.campaign) q.where('c.slug', f.campaign);
  if (f.country) q.where('e.country', f.country);
  if (f.kind) q.where('e.kind', f.kind);
  if (f.when === 'upcoming') q.where('e.ends_at', '>', f.now);
  if (f.when === 'past') q.where('e.ends_at', '<=', f.now);
  if (f.when === 'today') {
    q.whereRaw(`${LOCAL_DAY} <= (?::timestamptz at time zone e.timezone)::date`, [f.now])
      .whereRaw(`${LOCAL_END_DAY} >= (?::timestamptz at time zone e.timezone)::date`, [f.now]);
  }
  if (f.when === 'week') {
    const weekStart = `date_trunc('week', ?::timestamptz at time zone e.timezone)::date`;
    q.whereRaw(`${LOCAL_DAY} <= ${weekStart} + 6`, [f.now]).whereRaw(`${LOCAL_END_DAY} >= ${weekStart}`, [f.now]);
  }
  // A range keeps every picket that overlaps it.
  if (f.from?.kind === 'date') q.whereRaw(`${LOCAL_END_DAY} >= ?::date`, [f.from.value]);
  if (f.from?.kind === 'instant') q.where('e.ends_at', '>', f.from.value);
  if (f.to?.kind === 'date') q.whereRaw(`${LOCAL_DAY} <= ?::date`, [f.to.value]);
  if (f.to?.kind === 'instant') q.where('e.starts_at', '<', f.to.value);
  if (f.bbox) {
    const [minLon, minLat, maxLon, maxLat] = f.bbox;
    q.whereRaw(`${PUBLIC_LAT} between ? and ?`, [minLat, maxLat]);
    if (minLon <= maxLon) q.whereRaw(`${PUBLIC_LON} between ? and ?`, [minLon, maxLon]);
    else q.whereRaw(`(${PUBLIC_LON} >= ? or ${PUBLIC_LON} <= ?)`, [minLon, maxLon]);
  }
  return q;
}

/** The public points matching the filters, earliest first, with what came back from each. */
export async function mapPoints(db: Knex, filters: MapFilters): Promise<MapPointRow[]> {
  const points: MapPointRow[] = await mapPointsQuery(db, filters);
  if (!points.length) return points;
  // The extras are looked up for all the points at once, then joined here: one plain query each,
  // fast and predictable whether the filters keep ten points or ten thousand.
  const ids = points.map((p) => p.id);
  const [links, texts, going, media] = await Promise.all([
    // Pairs and texts apart: a campaign's pickets share their demands, so each text comes once.
    db('event_demands').whereRaw('event_id = any(?::int[])', [ids]).select('event_id', 'demand_id'),
    db('demands').whereIn('id', db('event_demands').select('demand_id').whereRaw('event_id = any(?::int[])', [ids]))
      .orderBy([{ column: 'position' }, { column: 'id' }]).select('id', 'text'),
    // Counts only: no name or address of anyone going ever reaches the map.
    db('rsvps').whereRaw('event_id = any(?::int[])', [ids]).where('status', 'going')
      .groupBy('event_id').select('event_id', db.raw('count(*)::int as n')),
    // Approved media only; the hand-in is the letter's best news: handed in, refused, posted, e-mailed.
    db('submissions').whereRaw('event_id = any(?::int[])', [ids]).where('status', 'approved').groupBy('event_id').select(
      'event_id',
      db.raw(`(array_agg(storage_key order by created_at, id) filter (where kind = 'photo' and media_type = 'image'
        and storage_key is not null))[1] as photo_key`),
      db.raw(`(count(*) filter (where kind = 'photo' and storage_key is not null))::int as photo_count`),
      db.raw(`(array_agg(handin_status order by array_position(array[${HANDIN_STATUSES.map((s) => `'${s}'`).join(', ')}], handin_status), id)
        filter (where kind = 'letter' and handin_status is not null))[1] as hand_in`),
    ),
  ]);
  const rank = new Map<number, number>(texts.map((d: { id: number }, i: number) => [d.id, i]));
  const demandsOf = new Map<number, number[]>();
  for (const { event_id, demand_id } of links as { event_id: number; demand_id: number }[]) {
    const list = demandsOf.get(event_id);
    if (list) list.push(demand_id);
    else demandsOf.set(event_id, [demand_id]);
  }
  const goingOf = new Map<number, number>(going.map((r: { event_id: number; n: number }) => [r.event_id, r.n]));
  const mediaOf = new Map<number, { photo_key: string | null; photo_count: number; hand_in: HandIn | null }>(
    media.map((r: { event_id: number; photo_key: string | null; photo_count: number; hand_in: HandIn | null }) => [r.event_id, r]),
  );
  // New objects of one shape (not the driver's rows with fields added): much faster to present.
  const merged: MapPointRow[] = points.map((p) => {
    const m = mediaOf.get(p.id);
    const own = demandsOf.get(p.id);
    return {
      id: p.id, slug: p.slug, title: p.title, kind: p.kind, status: p.status, action_status: p.action_status,
      starts_ms: p.starts_ms, ends_ms: p.ends_ms, starts_offset: p.starts_offset, ends_offset: p.ends_offset,
      timezone: p.timezone, city: p.city, country: p.country, longitude: p.longitude, latitude: p.latitude,
      approximate: p.approximate, campaign_slug: p.campaign_slug, campaign_title: p.campaign_title,
      demands: own ? own.sort((a, b) => rank.get(a)! - rank.get(b)!).map((id) => texts[rank.get(id)!].text) : [],
      going: goingOf.get(p.id) ?? 0,
      photo_key: m?.photo_key ?? null,
      photo_count: m?.photo_count ?? 0,
      hand_in: m?.hand_in ?? null,
    };
  });
  // Sorted here rather than in SQL, where the sort would carry every wide row.
  return merged.sort((a, b) => a.starts_ms - b.starts_ms || a.id - b.id);
}

/** The points themselves: public fields only, private meeting points already rounded. */
export function mapPointsQuery(db: Knex, filters: MapFilters): Knex.QueryBuilder {
  const q = db({ e: 'events' })
    .leftJoin({ c: 'campaigns' }, 'c.id', 'e.campaign_id')
    .select(
      'e.id', 'e.slug', 'e.title', 'e.kind', 'e.status', 'e.action_status', 'e.timezone', 'e.city', 'e.country',
      db.raw('extract(epoch from e.starts_at)::float8 * 1000 as starts_ms'),
      db.raw('extract(epoch from e.ends_at)::float8 * 1000 as ends_ms'),
      db.raw(`${zoneOffset('e.starts_at')} as starts_offset`),
      db.raw(`${zoneOffset('e.ends_at')} as ends_offset`),
      db.raw(`${PUBLIC_LON} as longitude`),
      db.raw(`${PUBLIC_LAT} as latitude`),
      db.raw('e.meeting_point_private as approximate'),
      'c.slug as campaign_slug', 'c.title as campaign_title',
    );
  return applyFilters(q, filters);
}

/** Just the ids of the points matching the filters, earliest first: cheap even for thousands. */
export async function mapPointIds(db: Knex, filters: MapFilters): Promise<number[]> {
  const rows: { id: number }[] = await applyFilters(
    db({ e: 'events' }).leftJoin({ c: 'campaigns' }, 'c.id', 'e.campaign_id').select('e.id'),
    filters,
  ).orderBy([{ column: 'e.starts_at' }, { column: 'e.id' }]);
  return rows.map((r) => r.id);
}

/** For the list under the map: the soonest upcoming and the latest past points, the count, the zones. */
export async function mapList(db: Knex, filters: MapFilters, limit: number) {
  const base = () => mapPointsQuery(db, filters);
  const [upcoming, past, total, zones] = await Promise.all([
    base().where('e.ends_at', '>', filters.now).orderBy([{ column: 'e.starts_at' }, { column: 'e.id' }]).limit(limit),
    base().where('e.ends_at', '<=', filters.now).orderBy([{ column: 'e.starts_at', order: 'desc' }, { column: 'e.id', order: 'desc' }]).limit(limit),
    applyFilters(db({ e: 'events' }).leftJoin({ c: 'campaigns' }, 'c.id', 'e.campaign_id').count({ n: '*' }), filters).first(),
    applyFilters(db({ e: 'events' }).leftJoin({ c: 'campaigns' }, 'c.id', 'e.campaign_id').distinct('e.timezone'), filters),
  ]);
  return {
    rows: [...upcoming, ...past].slice(0, limit) as MapPointRow[],
    total: Number((total as { n: number }).n),
    zones: (zones as { timezone: string }[]).map((z) => z.timezone),
  };
}

/** The pickets of these campaigns (their points show the campaign's title and demands). */
export async function eventIdsOfCampaigns(db: Knex, campaignIds: number[]): Promise<number[]> {
  const rows: { id: number }[] = await db('events').whereRaw('campaign_id = any(?::int[])', [campaignIds]).select('id');
  return rows.map((r) => r.id);
}

/** Campaigns with at least one public picket, for the campaign filter. */
export function campaignOptions(db: Knex): Promise<{ slug: string; title: string }[]> {
  return db({ c: 'campaigns' })
    .select('c.slug', 'c.title')
    .whereExists(db('events').select(db.raw('1')).whereRaw('events.campaign_id = c.id').whereIn('status', PUBLIC_EVENT_STATUSES))
    .orderBy('c.title');
}

/** Countries with at least one public picket, for the country filter. */
export async function countryOptions(db: Knex): Promise<string[]> {
  const rows: { country: string }[] = await db('events').distinct('country').whereIn('status', PUBLIC_EVENT_STATUSES).orderBy('country');
  return rows.map((r) => r.country);
}

/** The local days on which a campaign has public pickets: its days of action. */
export async function campaignDays(db: Knex, slug: string): Promise<{ day: string; count: number }[]> {
  return db({ e: 'events' })
    .join({ c: 'campaigns' }, 'c.id', 'e.campaign_id')
    .where('c.slug', slug)
    .whereIn('e.status', PUBLIC_EVENT_STATUSES)
    .select(db.raw(`${LOCAL_DAY}::text as day`), db.raw('count(*)::int as count'))
    .groupByRaw(LOCAL_DAY)
    .orderBy('day');
}

export function campaignBySlug(db: Knex, slug: string): Promise<{ id: number; slug: string; title: string } | undefined> {
  return db('campaigns').select('id', 'slug', 'title').where({ slug }).first();
}
