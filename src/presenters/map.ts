// What of a picket the map may show: an allowlist. Points of private meeting places arrive
// already rounded from the query; no address, meeting point, contact or owner is ever listed.
import type { MapPointRow, HandIn } from '../queries/map';
import { eventPath } from './events';

export interface MapProperties {
  title: string;
  kind: MapPointRow['kind'];
  status: 'published' | 'cancelled';
  actionStatus: MapPointRow['action_status'];
  startsAt: string;
  endsAt: string;
  timezone: string;
  city: string;
  country: string;
  /** True when the point is rounded (private meeting point). */
  approximate: boolean;
  campaign: { slug: string; title: string } | null;
  demands: string[];
  url: string;
  /** How many people are going: a count, never who. */
  going: number;
  /** Address of a thumbnail of the first approved photo. */
  photo: string | null;
  photoCount: number;
  handIn: HandIn | null;
}

export interface MapFeature {
  type: 'Feature';
  id: number;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: MapProperties;
}

export interface MapFeatureCollection {
  type: 'FeatureCollection';
  features: MapFeature[];
}

/** ISO 8601 in the event's zone, "2026-12-10T19:00:00+09:00", from an instant and that zone's offset. */
export function localIso(ms: number, offsetSeconds: number): string {
  const local = new Date(ms + offsetSeconds * 1000).toISOString().slice(0, 19);
  const minutes = Math.abs(Math.round(offsetSeconds / 60));
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${local}${offsetSeconds < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** The letter's fate: from an approved letter submission, else from what the organiser recorded. */
function handIn(row: MapPointRow): HandIn | null {
  if (row.hand_in) return row.hand_in;
  if (row.action_status === 'letter_delivered') return 'delivered';
  if (row.action_status === 'letter_refused') return 'refused';
  return null;
}

export function mapFeature(row: MapPointRow, photoUrl: (key: string, eventId: number) => string | null): MapFeature {
  return {
    type: 'Feature',
    id: row.id,
    // RFC 7946: longitude first.
    geometry: { type: 'Point', coordinates: [row.longitude, row.latitude] },
    properties: {
      title: row.title,
      kind: row.kind,
      status: row.status === 'cancelled' ? 'cancelled' : 'published',
      actionStatus: row.action_status,
      startsAt: localIso(row.starts_ms, row.starts_offset),
      endsAt: localIso(row.ends_ms, row.ends_offset),
      timezone: row.timezone,
      city: row.city,
      country: row.country,
      approximate: row.approximate,
      campaign: row.campaign_slug ? { slug: row.campaign_slug, title: row.campaign_title ?? '' } : null,
      demands: row.demands ?? [],
      url: eventPath(row),
      going: row.going,
      photo: row.photo_key ? photoUrl(row.photo_key, row.id) : null,
      photoCount: row.photo_count ?? 0,
      handIn: handIn(row),
    },
  };
}

export function featureCollection(rows: MapPointRow[], photoUrl: (key: string, eventId: number) => string | null): MapFeatureCollection {
  return { type: 'FeatureCollection', features: rows.map((row) => mapFeature(row, photoUrl)) };
}

/** One entry of the server-rendered list (the map is never the only way to reach a picket). */
export interface MapListItem {
  id: number;
  title: string;
  kind: MapPointRow['kind'];
  url: string;
  cancelled: boolean;
  past: boolean;
  startsAt: Date;
  timezone: string;
  city: string;
  country: string;
}

export function mapListItem(row: MapPointRow, now: Date): MapListItem {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    url: eventPath(row),
    cancelled: row.status === 'cancelled',
    past: row.ends_ms <= now.getTime(),
    startsAt: new Date(row.starts_ms),
    timezone: row.timezone,
    city: row.city,
    country: row.country,
  };
}
