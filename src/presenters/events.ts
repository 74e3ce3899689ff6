// What of a picket may leave the server. Pages, the API and the iCalendar feeds all go through
// here, so a private meeting point or an owner's account never reaches the public.
import type { DemandRow, EventRow } from '../db/tables';
import { isoInZone } from '../lib/time';

/** The canonical public address of an event: /events/12-picket-at-the-embassy */
export function eventPath(event: Pick<EventRow, 'id' | 'slug'>): string {
  return `/events/${event.id}${event.slug ? `-${event.slug}` : ''}`;
}

export interface PublicPlace {
  /** What a visitor may read: the address and city, or only the city when the point is private. */
  label: string;
  address: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  /** True when the point is rounded to about a kilometre and the address withheld. */
  approximate: boolean;
}

/** Rounds to two decimals: about 1.1 km north-south, so a private meeting point cannot be found. */
export function roundPoint(value: number): number {
  return Math.round(value * 100) / 100;
}

export function publicPlace(event: Pick<EventRow, 'address' | 'city' | 'country' | 'latitude' | 'longitude' | 'meeting_point_private' | 'meeting_point'>): PublicPlace {
  if (event.meeting_point_private) {
    return {
      label: `${event.city}, ${event.country}`,
      address: '',
      city: event.city,
      country: event.country,
      latitude: roundPoint(event.latitude),
      longitude: roundPoint(event.longitude),
      approximate: true,
    };
  }
  const parts = [event.meeting_point, event.address, event.city].filter((p) => p && p.trim());
  return {
    label: `${parts.join(', ')}, ${event.country}`,
    address: event.address,
    city: event.city,
    country: event.country,
    latitude: event.latitude,
    longitude: event.longitude,
    approximate: false,
  };
}

export interface PublicDemand {
  id: number;
  kind: DemandRow['kind'];
  text: string;
}

export interface ApiEvent {
  id: number;
  url: string;
  kind: EventRow['kind'];
  title: string;
  status: EventRow['status'];
  action_status: EventRow['action_status'];
  starts_at: string;
  ends_at: string;
  timezone: string;
  campaign: { slug: string; title: string } | null;
  place: Omit<PublicPlace, 'label'> & { label: string };
  demands: PublicDemand[];
  capacity: number | null;
  attendance_count: number | null;
  language: string | null;
}

/** One event for GET /api/events: an allowlist, nothing else. */
export function apiEvent(
  event: EventRow,
  extra: { baseUrl: string; campaign: { slug: string; title: string } | null; demands: PublicDemand[] },
): ApiEvent {
  return {
    id: event.id,
    url: `${extra.baseUrl}${eventPath(event)}`,
    kind: event.kind,
    title: event.title,
    status: event.status,
    action_status: event.action_status,
    starts_at: isoInZone(event.starts_at, event.timezone),
    ends_at: isoInZone(event.ends_at, event.timezone),
    timezone: event.timezone,
    campaign: extra.campaign,
    place: publicPlace(event),
    demands: extra.demands.map((d) => ({ id: d.id, kind: d.kind, text: d.text })),
    capacity: event.capacity,
    attendance_count: event.attendance_count,
    language: event.language,
  };
}
