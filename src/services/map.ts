// The map of pickets: the GeoJSON feed (cached per version of the data) and the page's data.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps';
import * as queries from '../queries/map';
import type { MapFilters } from '../queries/map';

export type { Bound, MapFilters } from '../queries/map';
import { featureCollection, mapListItem, MapListItem } from '../presenters/map';

const gzip = promisify(zlib.gzip);

/** The feed as sent: the JSON text, its gzip (made once), and the strong ETag naming both. */
export interface GeoJsonBody {
  etag: string;
  json: Buffer;
  gzip(): Promise<Buffer>;
}

/**
 * A small LRU of serialised feeds, bounded in entries and bytes. Keyed by the data's version and
 * the filters, so an entry is never stale: any change to the data gives a new version, a new key.
 */
export class GeoJsonCache {
  private entries = new Map<string, { body: Promise<GeoJsonBody>; bytes: number }>();
  private bytes = 0;
  constructor(private readonly maxEntries = 32, private readonly maxBytes = 64 * 1024 * 1024) {}

  get(key: string, build: () => Promise<GeoJsonBody>): Promise<GeoJsonBody> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const entry = { body: build(), bytes: 0 };
    this.entries.set(key, entry);
    entry.body.then(
      (made) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = made.json.length;
        this.bytes += entry.bytes;
        this.trim();
      },
      () => this.remove(key, entry),
    );
    this.trim();
    return entry.body;
  }

  /** Counts a gzip made later against the budget. */
  grow(key: string, bytes: number): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.bytes += bytes;
    this.bytes += bytes;
    this.trim();
  }

  private remove(key: string, entry: { bytes: number }) {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private trim() {
    while (this.entries.size > 1 && (this.entries.size > this.maxEntries || this.bytes > this.maxBytes)) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.remove(oldest, entry);
    }
  }
}

/** Where a thumbnail of an approved photo is served (by the media feature). */
export function photoThumbnailUrl(key: string, eventId: number): string | null {
  void eventId;
  return `/media/${encodeURIComponent(key)}/thumb`;
}

/** A stable text of the filters, for cache keys and ETags. */
function filterKey(filters: MapFilters): string {
  const bound = (b: queries.Bound | undefined) => (b ? (b.kind === 'date' ? b.value : b.value.toISOString()) : '');
  // Relative filters change with time: a new minute is a new answer.
  const minute = filters.when ? Math.floor(filters.now.getTime() / 60_000) : '';
  return JSON.stringify([filters.campaign ?? '', filters.country ?? '', filters.kind ?? '', bound(filters.from),
    bound(filters.to), filters.when ?? '', filters.bbox ?? '', minute]);
}

/**
 * Every public point as serialised GeoJSON, for one version of the data. A new filter then costs
 * one query of ids and a join of strings, not reading, presenting and serialising every point.
 */
export class FeatureStrings {
  private current: { version: string; byId: Promise<Map<number, string>> } | undefined;

  async get(deps: Pick<AppDeps, 'db'>, version: string, ids: number[]): Promise<string[]> {
    if (this.current?.version !== version) {
      const byId = queries.mapPoints(deps.db, { now: new Date(0) }).then((rows) => serialise(rows));
      this.current = { version, byId };
      byId.catch(() => { if (this.current?.byId === byId) this.current = undefined; });
    }
    const byId = await this.current.byId;
    // A point written after the version was read: fetch just those.
    const missing = ids.filter((id) => !byId.has(id));
    const extra = missing.length ? serialise(await queries.mapPoints(deps.db, { ids: missing, now: new Date(0) })) : undefined;
    return ids.map((id) => byId.get(id) ?? extra?.get(id)).filter((f): f is string => f !== undefined);
  }
}

function serialise(rows: queries.MapPointRow[]): Map<number, string> {
  return new Map(featureCollection(rows, photoThumbnailUrl).features.map((f) => [f.id, JSON.stringify(f)]));
}

export async function geojson(
  deps: Pick<AppDeps, 'db'>, cache: GeoJsonCache, filters: MapFilters, features = new FeatureStrings(),
): Promise<GeoJsonBody> {
  const version = await queries.mapVersion(deps.db);
  const key = crypto.createHash('sha256').update(version).update('\n').update(filterKey(filters)).digest('base64url').slice(0, 27);
  return cache.get(key, async () => {
    const ids = await queries.mapPointIds(deps.db, filters);
    const strings = await features.get(deps, version, ids);
    const json = Buffer.from(`{"type":"FeatureCollection","features":[${strings.join(',')}]}`);
    let zipped: Promise<Buffer> | undefined;
    const zip = () => (zipped ??= gzip(json, { level: 6 }).then((z) => (cache.grow(key, z.length), z)));
    return { etag: `"${key}"`, json, gzip: zip };
  });
}

export const LIST_LIMIT = 200;

export interface MapPage {
  items: MapListItem[];
  total: number;
  campaigns: { slug: string; title: string }[];
  countries: string[];
  days: { day: string; count: number }[];
  campaignTitle: string | null;
  /** Day-of-action mode: from the day's first midnight (east) to its last (west), as ISO instants. */
  daySpan: { start: string; end: string } | null;
}

/** The whole of `day` wherever it has pickets: it begins first in the east and ends last in the west. */
export function daySpan(day: string, zones: string[]): { start: string; end: string } | null {
  if (!zones.length) return null;
  const starts = zones.map((zone) => DateTime.fromISO(day, { zone }).startOf('day').toMillis());
  const ends = zones.map((zone) => DateTime.fromISO(day, { zone }).plus({ days: 1 }).startOf('day').toMillis());
  return { start: new Date(Math.min(...starts)).toISOString(), end: new Date(Math.max(...ends)).toISOString() };
}

/** What the page renders without JavaScript: the filter options and the list of pickets. */
export async function mapPage(deps: Pick<AppDeps, 'db'>, filters: MapFilters, day?: string): Promise<MapPage> {
  const [list, campaigns, countries, days, campaign] = await Promise.all([
    // Upcoming pickets first (soonest first), then past ones (latest first).
    queries.mapList(deps.db, filters, LIST_LIMIT),
    queries.campaignOptions(deps.db),
    queries.countryOptions(deps.db),
    filters.campaign ? queries.campaignDays(deps.db, filters.campaign) : Promise.resolve([]),
    filters.campaign ? queries.campaignBySlug(deps.db, filters.campaign) : Promise.resolve(undefined),
  ]);
  return {
    items: list.rows.map((r) => mapListItem(r, filters.now)),
    total: list.total,
    campaigns,
    countries,
    days,
    campaignTitle: campaign?.title ?? null,
    daySpan: day ? daySpan(day, list.zones) : null,
  };
}

/** The embed needs a campaign that exists (when one is named). */
export async function embedCampaign(deps: Pick<AppDeps, 'db'>, slug: string | undefined) {
  if (!slug) return null;
  return (await queries.campaignBySlug(deps.db, slug)) ?? undefined;
}
