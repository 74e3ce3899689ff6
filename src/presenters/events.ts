// What of a picket may leave the server. Pages, the API and the iCalendar feeds all go through
// here, so a private meeting point or an owner's account never reaches the public.
import type { DemandRow, EventRow } from '../db/tables';
import { isoInZone } from '../lib/time';

/** The canonical public address of an event: /events/12-picket-at-the-embassy */
export function eventPath(event: Pick<EventRow, 'id' | 'slug'>): string {
  return `/events/${event.id}${event.slug ? `-${event.slug}` : ''}`;
}

/** A picket in its organiser's dashboard: what the list shows, and whether it is over. */
export function presentDashboardEvent(event: EventRow, now: Date) {
  return {
    id: event.id, title: event.title, starts_at: event.starts_at, timezone: event.timezone,
    city: event.city, country: event.country, status: event.status, action_status: event.action_status,
    past: event.ends_at <= now,
  };
}

/** One of the organiser's own pickets (views/pages/organise-event.ejs): all of it, the private meeting point included. */
export function presentOrganiserEvent(event: EventRow) {
  return {
    id: event.id, title: event.title, status: event.status, action_status: event.action_status,
    starts_at: event.starts_at, ends_at: event.ends_at, timezone: event.timezone,
    address: event.address, city: event.city, country: event.country, latitude: event.latitude, longitude: event.longitude,
    meeting_point: event.meeting_point, meeting_point_private: event.meeting_point_private,
    capacity: event.capacity, attendance_count: event.attendance_count,
  };
}

/** The picket an upload page names and links back to. */
export function presentUploadEvent(event: Pick<EventRow, 'id' | 'slug' | 'title'>) {
  return { id: event.id, title: event.title, path: eventPath(event) };
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

/** A picket in a public list (front page, past pickets): what the card shows, city and country only. */
export function presentEventCard(event: EventRow) {
  return {
    id: event.id,
    slug: event.slug,
    kind: event.kind,
    status: event.status,
    title: event.title,
    language: event.language,
    starts_at: event.starts_at,
    timezone: event.timezone,
    city: event.city,
    country: event.country,
    campaign_id: event.campaign_id,
  };
}
export type EventCard = ReturnType<typeof presentEventCard>;

/** A campaign named beside a picket: its address and title, nothing of its owner. */
export function presentCampaignLink(campaign: { slug: string; title: string; target_country?: string }) {
  return { slug: campaign.slug, title: campaign.title, target_country: campaign.target_country ?? '' };
}

/**
 * The public page of a picket (views/pages/event.ejs). The place goes through publicPlace; the
 * exact meeting point only when it is public; the owner is never named, only whether the viewer
 * may manage the picket.
 */
export function presentEventPage(event: EventRow) {
  return {
    id: event.id,
    slug: event.slug,
    kind: event.kind,
    status: event.status,
    action_status: event.action_status,
    title: event.title,
    language: event.language,
    starts_at: event.starts_at,
    ends_at: event.ends_at,
    timezone: event.timezone,
    meeting_point: event.meeting_point_private ? '' : event.meeting_point,
    contact_text: event.contact_text,
    attendance_count: event.attendance_count,
  };
}
