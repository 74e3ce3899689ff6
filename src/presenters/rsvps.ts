// What leaves the server about RSVPs. Public views get counts only; the person who RSVPed sees
// their own RSVP through the manage link; organisers see their own events' lists.
import type { EventRow, RsvpRow } from '../db/tables';
import type { Counts } from '../queries/rsvps';
import * as time from '../lib/time';
import { RSVP_STATUSES, RsvpStatus } from '../domain/enums';

/** "Friday 14 March 2031, 18:00": a 24-hour clock in every language, as a picket's time is given. */
export function whenLabel(instant: Date, zone: string, locale: string): string {
  return `${time.formatLongDate(instant, zone, locale)}, ${time.formatTime(instant, zone, locale)}`;
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
    /** After the picket: the head count its organisers recorded, else those who said they would come. */
    came: event.attendance_count ?? going,
  };
}

/** The person's own RSVP, on their manage page. */
export function presentOwnRsvp(rsvp: RsvpRow) {
  return { name: rsvp.name ?? '', email: rsvp.email, role: rsvp.role, status: rsvp.status, note: rsvp.note, headcountOnly: !rsvp.email };
}

/** A row of the organiser's list and CSV (their own events only: checked by the service). */
export type OrganiserAction = 'approve' | 'decline' | 'remove' | 'block';

function organiserActions(rsvp: RsvpRow, event: EventRow, mayBlock: boolean): OrganiserAction[] {
  const actions: OrganiserAction[] = [];
  if (rsvp.status === 'requested' && !rsvp.blocked) actions.push('approve');
  if (rsvp.status === 'requested') actions.push('decline');
  if (rsvp.status === 'going' || rsvp.status === 'waitlisted') actions.push('remove');
  if (mayBlock && event.campaign_id && rsvp.email && !rsvp.blocked && !rsvp.erased_at) actions.push('block');
  return actions;
}

/**
 * The statuses an organiser's tallies show: requests and declines on a picket that approves
 * attendees, or wherever there are some (removals, blocked addresses).
 */
export function presentStatusTallies(event: EventRow, counts: Counts): { status: RsvpStatus; count: number }[] {
  return RSVP_STATUSES
    .filter((s) => event.approve_attendees || (s !== 'requested' && s !== 'declined') || counts.byStatus[s] > 0)
    .map((status) => ({ status, count: counts.byStatus[status] }));
}

/** `mayBlock`: the campaign's block list is for its organisers; a host (who runs one picket) may remove, not block. */
export function presentRsvpForOrganiser(rsvp: RsvpRow, event: EventRow, locale: string, mayBlock = true) {
  return {
    id: rsvp.id,
    name: rsvp.name ?? '',
    email: rsvp.email ?? '',
    role: rsvp.role,
    status: rsvp.status,
    blocked: rsvp.blocked,
    /** The decisions the organiser may take on this row (attendee approval, block list). */
    actions: organiserActions(rsvp, event, mayBlock),
    note: rsvp.note,
    erased: Boolean(rsvp.erased_at),
    createdAt: time.isoInZone(new Date(Math.floor(rsvp.created_at.getTime() / 1000) * 1000), event.timezone),
    createdAtLabel: `${time.formatDate(rsvp.created_at, event.timezone, locale)} ${time.formatTime(rsvp.created_at, event.timezone, locale)}`,
  };
}

/** The public counts as the event page's script shows them: numbers and the sentence in `t`'s language. */
export function presentCountsJson(
  counts: { going: number; waitlisted: number; capacity: number | null; spotsLeft: number | null; asOf: Date },
  t: (key: string, params?: Record<string, unknown>) => string,
) {
  const parts = [t('rsvps.counts.going', { count: counts.going })];
  if (counts.capacity !== null) parts.push(t('rsvps.counts.spotsLeft', { count: counts.spotsLeft }));
  if (counts.waitlisted) parts.push(t('rsvps.counts.waitlisted', { count: counts.waitlisted }));
  return {
    going: counts.going, waitlisted: counts.waitlisted, capacity: counts.capacity, spotsLeft: counts.spotsLeft,
    text: parts.join(' · '), asOf: counts.asOf.toISOString(),
  };
}
