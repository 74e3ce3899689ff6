// What leaves the server about RSVPs. Public views get counts only; the person who RSVPed sees
// their own RSVP through the manage link; organisers see their own events' lists.
import type { EventRow, RsvpRow } from '../db/tables';
import type { Counts } from '../queries/rsvps';
import { DateTime } from 'luxon';
import * as time from '../lib/time';

/** "Friday 14 March 2031, 18:00": a 24-hour clock in every language, as a picket's time is given. */
export function whenLabel(instant: Date, zone: string, locale: string): string {
  const day = DateTime.fromJSDate(instant, { zone }).setLocale(locale).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return `${day}, ${time.formatTime(instant, zone, locale)}`;
}

export interface RsvpEventView {
  id: number;
  title: string;
  path: string;
  status: EventRow['status'];
  when: string;
  endsAt: string;
  zone: string;
  zoneOffset: string;
  city: string;
  /** Street address and meeting point: empty for the public when the meeting point is private. */
  address: string;
  meetingPoint: string;
  meetingPointPrivate: boolean;
  /** True when `address` and `meetingPoint` are the exact ones (public event, or a going attendee). */
  revealed: boolean;
}

/** The event as RSVP pages and e-mails show it; the exact place only when `reveal` is true. */
export function presentEventForRsvp(event: EventRow, locale: string, reveal: boolean): RsvpEventView {
  const revealed = !event.meeting_point_private || reveal;
  return {
    id: event.id,
    title: event.title,
    path: `/events/${event.id}`,
    status: event.status,
    when: whenLabel(event.starts_at, event.timezone, locale),
    endsAt: time.formatTime(event.ends_at, event.timezone, locale),
    zone: time.zoneCity(event.timezone),
    zoneOffset: time.zoneOffset(event.starts_at, event.timezone),
    city: event.city,
    address: revealed ? event.address : '',
    meetingPoint: revealed ? event.meeting_point : '',
    meetingPointPrivate: event.meeting_point_private,
    revealed,
  };
}

/** What anyone may know about who is coming: numbers, never names. */
export function presentPublicCounts(counts: Counts, event: EventRow) {
  const going = counts.byStatus.going;
  return {
    going,
    waitlisted: counts.byStatus.waitlisted,
    capacity: event.capacity,
    spotsLeft: event.capacity === null ? null : Math.max(0, event.capacity - going),
  };
}

/** The person's own RSVP, on their manage page. */
export function presentOwnRsvp(rsvp: RsvpRow) {
  return { name: rsvp.name ?? '', email: rsvp.email, role: rsvp.role, status: rsvp.status, note: rsvp.note, headcountOnly: !rsvp.email };
}

/** A row of the organiser's list and CSV (their own events only: checked by the service). */
export function presentRsvpForOrganiser(rsvp: RsvpRow, event: EventRow, locale: string) {
  return {
    id: rsvp.id,
    name: rsvp.name ?? '',
    email: rsvp.email ?? '',
    role: rsvp.role,
    status: rsvp.status,
    blocked: rsvp.blocked,
    note: rsvp.note,
    erased: Boolean(rsvp.erased_at),
    createdAt: time.isoInZone(new Date(Math.floor(rsvp.created_at.getTime() / 1000) * 1000), event.timezone),
    createdAtLabel: `${time.formatDate(rsvp.created_at, event.timezone, locale)} ${time.formatTime(rsvp.created_at, event.timezone, locale)}`,
  };
}
