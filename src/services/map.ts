// The map of pickets: the GeoJSON feed (cached per version of the data) and the page's data.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DateTime } from 'luxon';
import type { AppDeps } from '../app';
import * as queries from '../queries/map';
import type { MapFilters } from '../queries/map';
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

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
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

function serialise(rows: queries.MapPointRow[]): Map<number, string> {
  return new Map(featureCollection(rows, photoThumbnailUrl).features.map((f) => [f.id, JSON.stringify(f)]));
}

/**
 * Every public point as serialised GeoJSON, kept up to date by change notifications: a change to a
 * picket (or its campaign, demands or approved media) re-reads just those points, in one refresh
 * at a time that requests arriving meanwhile wait for; each filter's feed is then joined from the
 * strings and gzipped once. RSVPs only change the number going: those points are re-read at most
 * every `countsMs`, in the background, while the feed as it was keeps being served.
 */
export class MapFeed {
  private features = new Map<number, string>();
  private loaded = false;
  private dirtyEvents = new Set<number>();
  private dirtyCampaigns = new Set<number>();
  private countsDirty = new Set<number>();
  private countsAt = 0;
  private refreshing: Promise<void> | undefined;
  private generation = 0;
  private bodies = new GeoJsonCache();

  constructor(
    private readonly deps: Pick<AppDeps, 'db' | 'clock'>,
    private readonly listening: () => boolean,
    private readonly countsMs: number,
  ) {}

  /** A change notification (see migrations/*_change_notifications.ts). */
  heard(kind: string, id: number): void {
    if (kind === 'e' || kind === 'm') this.dirtyEvents.add(id);
    else if (kind === 'c') this.dirtyCampaigns.add(id);
    else if (kind === 'r') this.countsDirty.add(id);
  }

  /** Resolves when the refresh under way (if any) is done. */
  async settled(): Promise<void> {
    await this.refreshing;
  }

  /** Notifications may have been missed: read everything again on the next request. */
  reset(): void {
    this.loaded = false;
    this.features.clear();
    this.dirtyEvents.clear();
    this.dirtyCampaigns.clear();
    this.countsDirty.clear();
    this.generation++;
  }

  async body(filters: MapFilters): Promise<GeoJsonBody> {
    if (!this.listening()) this.reset(); // nothing heard can be trusted: read it all
    while (!this.loaded || this.dirtyEvents.size || this.dirtyCampaigns.size) {
      await (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
    }
    if (this.countsDirty.size && !this.refreshing && this.deps.clock.now().getTime() - this.countsAt >= this.countsMs) {
      this.refreshing = this.refresh().catch(() => {}).finally(() => (this.refreshing = undefined));
    }
    const generation = this.generation;
    const key = `${generation}\n${filterKey(filters)}`;
    return this.bodies.get(key, async () => {
      const ids = await queries.mapPointIds(this.deps.db, filters);
      const missing = ids.filter((id) => !this.features.has(id));
      // A point committed after the last refresh, whose notification is still on its way.
      const extra = missing.length ? serialise(await queries.mapPoints(this.deps.db, { ids: missing, now: new Date(0) })) : undefined;
      const strings = ids.map((id) => this.features.get(id) ?? extra?.get(id)).filter((f): f is string => f !== undefined);
      const json = Buffer.from(`{"type":"FeatureCollection","features":[${strings.join(',')}]}`);
      // Named by its content, so every process gives the same feed the same ETag.
      const etag = `"${crypto.createHash('sha1').update(json).digest('base64url')}"`;
      let zipped: Promise<Buffer> | undefined;
      const zip = () => (zipped ??= gzip(json, { level: 6 }).then((z) => (this.bodies.grow(key, z.length), z)));
      if (json.length > 64 * 1024) void zip().catch(() => {}); // ready by the time most requests ask
      return { etag, json, gzip: zip };
    });
  }

  /** Re-reads the points that changed (all of them the first time), then starts a new generation. */
  private async refresh(): Promise<void> {
    const since = this.deps.clock.now().getTime();
    if (!this.loaded) {
      const generation = this.generation;
      this.dirtyEvents.clear();
      this.dirtyCampaigns.clear();
      this.countsDirty.clear();
      const all = serialise(await queries.mapPoints(this.deps.db, { now: new Date(0) }));
      if (generation !== this.generation) return; // reset while reading: read again
      this.features = all;
      this.loaded = true;
    } else {
      const events = new Set([...this.dirtyEvents, ...this.countsDirty]);
      const campaigns = [...this.dirtyCampaigns];
      this.dirtyEvents.clear();
      this.dirtyCampaigns.clear();
      this.countsDirty.clear();
      if (campaigns.length) for (const id of await queries.eventIdsOfCampaigns(this.deps.db, campaigns)) events.add(id);
      const ids = [...events];
      const rows = ids.length ? serialise(await queries.mapPoints(this.deps.db, { ids, now: new Date(0) })) : new Map<number, string>();
      for (const id of ids) {
        const feature = rows.get(id);
        if (feature) this.features.set(id, feature);
        else this.features.delete(id); // no longer public
      }
    }
    this.countsAt = since;
    this.generation++;
    this.bodies.clear(); // feeds of the last generation are never asked for again
  }
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
