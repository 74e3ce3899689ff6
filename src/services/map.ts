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
  readonly json: Buffer;
  gzip(): Promise<Buffer>;
  /** Bytes held (for the cache's budget), when not json's length. */
  bytes?: number;
}

/**
 * A small LRU of serialised feeds, bounded in entries and bytes. Keyed by the data's version and
 * the filters, so an entry is never stale: any change to the data gives a new version, a new key.
 */
export class GeoJsonCache {
  private entries = new Map<string, { body: Promise<GeoJsonBody>; bytes: number; made?: GeoJsonBody }>();
  private bytes = 0;
  constructor(private readonly maxEntries = 32, private readonly maxBytes = 64 * 1024 * 1024) {}

  get(key: string, build: () => Promise<GeoJsonBody>): Promise<GeoJsonBody> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.body;
    }
    const entry: { body: Promise<GeoJsonBody>; bytes: number; made?: GeoJsonBody } = { body: build(), bytes: 0 };
    this.entries.set(key, entry);
    entry.body.then(
      (made) => {
        if (this.entries.get(key) !== entry) return;
        entry.made = made;
        entry.bytes = made.bytes ?? made.json.length;
        this.bytes += entry.bytes;
        this.trim();
      },
      () => this.remove(key, entry),
    );
    this.trim();
    return entry.body;
  }

  /** A body already built for `key`, without waiting (undefined while it is being built). */
  peek(key: string): GeoJsonBody | undefined {
    return this.entries.get(key)?.made;
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

interface Point {
  /** The feature's JSON. */
  json: Buffer;
  startsMs: number;
  /** A new number each time the point is read again: names the blocks that hold it. */
  version: number;
}

let versions = 0;

function serialise(rows: queries.MapPointRow[]): Map<number, Point> {
  return new Map(featureCollection(rows, photoThumbnailUrl).features.map((f, i) => [f.id, {
    json: Buffer.from(JSON.stringify(f)), startsMs: rows[i].starts_ms, version: ++versions,
  }]));
}

// The feed is gzipped in blocks of points, each compressed on its own and ended with a full flush
// (so it refers to nothing before it), then joined into one gzip stream, as pigz does. A change
// to one point recompresses only its block; a block ends after a point whose id hashes to 0 mod
// 128 (or at 400 points), so blocks stay the same when a point elsewhere comes or goes. Blocks of
// about 128 points (80 KB) lose little to being compressed apart (deflate looks back 32 KB).
const PREFIX = Buffer.from('{"type":"FeatureCollection","features":[');
const SUFFIX = Buffer.from(']}');
const COMMA = Buffer.from(',');
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const LAST_BLOCK = Buffer.from([3, 0]); // an empty final block

interface Piece {
  gz: Buffer;
  raw: Buffer[];
  bytes: number;
  crc: number;
  hash: string;
}

function piece(raw: Buffer[]): Piece {
  const bytes = raw.reduce((n, b) => n + b.length, 0);
  const joined = raw.length === 1 ? raw[0] : Buffer.concat(raw, bytes);
  return {
    gz: zlib.deflateRawSync(joined, { level: 6, finishFlush: zlib.constants.Z_FULL_FLUSH }),
    raw, bytes, crc: zlib.crc32(joined), hash: crypto.createHash('sha1').update(joined).digest('base64url'),
  };
}

const FIXED = { prefix: piece([PREFIX]), comma: piece([COMMA]), suffix: piece([SUFFIX]) };

/** zlib's crc32_combine: the CRC of A then B from the CRCs of each and B's length (GF(2) matrices). */
function crc32Combine(crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1;
  const times = (mat: Uint32Array, vec: number) => {
    let sum = 0;
    for (let i = 0; vec; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i];
    return sum >>> 0;
  };
  const square = (out: Uint32Array, mat: Uint32Array) => { for (let n = 0; n < 32; n++) out[n] = times(mat, mat[n]); };
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  square(even, odd);
  square(odd, even);
  let a = crc1 >>> 0;
  let len = len2;
  do {
    square(even, odd);
    if (len & 1) a = times(even, a);
    len = Math.floor(len / 2);
    if (!len) break;
    square(odd, even);
    if (len & 1) a = times(odd, a);
    len = Math.floor(len / 2);
  } while (len);
  return (a ^ crc2) >>> 0;
}

/** The feed of these points in this order: gzip from cached blocks, the plain JSON only if asked. */
function assemble(points: Point[], ids: number[], blocks: Map<string, Piece>): GeoJsonBody {
  const pieces: Piece[] = [FIXED.prefix];
  let run: number[] = [];
  const flush = () => {
    if (!run.length) return;
    const key = run.map((i) => `${ids[i]}.${points[i].version}`).join(' ');
    let block = blocks.get(key);
    if (!block) blocks.set(key, (block = piece(run.map((i) => points[i].json).flatMap((b, n) => (n ? [COMMA, b] : [b])))));
    else { blocks.delete(key); blocks.set(key, block); }
    if (pieces.length > 1) pieces.push(FIXED.comma);
    pieces.push(block);
    run = [];
  };
  for (let i = 0; i < points.length; i++) {
    run.push(i);
    if (((Math.imul(ids[i], 2654435761) >>> 0) % 128) === 0 || run.length >= 400) flush();
  }
  flush();
  pieces.push(FIXED.suffix);
  while (blocks.size > 4000) blocks.delete(blocks.keys().next().value!);
  let crc = 0;
  let bytes = 0;
  for (const p of pieces) {
    crc = crc32Combine(crc, p.crc, p.bytes);
    bytes += p.bytes;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(bytes % 2 ** 32, 4);
  const gz = Buffer.concat([GZIP_HEADER, ...pieces.map((p) => p.gz), LAST_BLOCK, trailer]);
  // Named by its content, so every process gives the same feed the same ETag.
  const etag = `"${crypto.createHash('sha1').update(pieces.map((p) => p.hash).join(',')).digest('base64url')}"`;
  let json: Buffer | undefined;
  return {
    etag,
    bytes: gz.length,
    get json() {
      return (json ??= Buffer.concat(pieces.flatMap((p) => p.raw), bytes));
    },
    gzip: async () => gz,
  };
}

/** The unfiltered feed needs no query: every public point, earliest first. */
const unfiltered = (f: MapFilters) => !f.campaign && !f.country && !f.kind && !f.from && !f.to && !f.when && !f.bbox && !f.ids;

/**
 * Every public point as serialised GeoJSON, kept up to date by change notifications: a change to a
 * picket (or its campaign, demands or approved media) re-reads just those points, in one refresh
 * at a time that requests arriving meanwhile wait for; each filter's feed is then assembled from
 * the points and compressed blocks (see above) once. RSVPs only change the number going: those
 * points are re-read at most every `countsMs`, in the background, while the feed as it was keeps
 * being served.
 */
export class MapFeed {
  private features = new Map<number, Point>();
  private loaded = false;
  private dirtyEvents = new Set<number>();
  private dirtyCampaigns = new Set<number>();
  private countsDirty = new Set<number>();
  private countsAt = 0;
  private refreshing: Promise<void> | undefined;
  private generation = 0;
  private bodies = new GeoJsonCache();
  private blocks = new Map<string, Piece>();

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
    this.blocks.clear();
    this.dirtyEvents.clear();
    this.dirtyCampaigns.clear();
    this.countsDirty.clear();
    this.generation++;
  }

  /** The feed for `filters` when it is built and nothing it shows changed since; else undefined. */
  ready(filters: MapFilters): GeoJsonBody | undefined {
    if (!this.listening() || !this.loaded || this.dirtyEvents.size || this.dirtyCampaigns.size) return undefined;
    this.refreshCountsWhenDue();
    return this.bodies.peek(`${this.generation}\n${filterKey(filters)}`);
  }

  /** Numbers going changed: re-read them in the background at most every countsMs. */
  private refreshCountsWhenDue() {
    if (this.countsDirty.size && !this.refreshing && this.deps.clock.now().getTime() - this.countsAt >= this.countsMs) {
      this.refreshing = this.refresh().catch(() => {}).finally(() => (this.refreshing = undefined));
    }
  }

  async body(filters: MapFilters): Promise<GeoJsonBody> {
    if (!this.listening()) this.reset(); // nothing heard can be trusted: read it all
    while (!this.loaded || this.dirtyEvents.size || this.dirtyCampaigns.size) {
      await (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
    }
    this.refreshCountsWhenDue();
    const key = `${this.generation}\n${filterKey(filters)}`;
    return this.bodies.get(key, async () => {
      let ids: number[];
      if (unfiltered(filters)) {
        ids = [...this.features.keys()];
        ids.sort((a, b) => this.features.get(a)!.startsMs - this.features.get(b)!.startsMs || a - b);
      } else ids = await queries.mapPointIds(this.deps.db, filters);
      const missing = ids.filter((id) => !this.features.has(id));
      // A point committed after the last refresh, whose notification is still on its way.
      const extra = missing.length ? serialise(await queries.mapPoints(this.deps.db, { ids: missing, now: new Date(0) })) : undefined;
      const found = ids.filter((id) => this.features.has(id) || extra?.has(id));
      return assemble(found.map((id) => this.features.get(id) ?? extra!.get(id)!), found, this.blocks);
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
      const rows = ids.length ? serialise(await queries.mapPoints(this.deps.db, { ids, now: new Date(0) })) : new Map<number, Point>();
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
