// Pickets: who may do what, turning a form's wall-clock times and place into a stored event, and
// the status changes (publish, cancel) that attendees must hear about.
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { ActionStatus, DemandRow, EventKind, EventRow, UserRow } from '../db/tables';
import { BadRequest, NotFound } from '../lib/errors';
import { paging, Paging } from '../lib/paging';
import { zoneAt } from '../lib/places';
import { DateTime } from 'luxon';
import { slugify as slugText } from '../lib/slug';
import { instantToLocalInput, isValidZone, localToInstant } from '../lib/time';
import type { FieldErrors } from '../lib/validation';
import * as q from '../queries/events';
import { findVenue } from '../queries/venues';
import * as rsvpQueries from '../queries/rsvps';
import { eventChanged } from './event-changes';
import { promoteWaitlisted } from './rsvps';
import { Actor, authorize, ownerScope, picket } from '../policies';
import { presentDashboardEvent } from '../presenters/events';

/** What the event form sends, after the route's schema checked types and lengths. */
export interface EventForm {
  kind: EventKind;
  title: string;
  description: string;
  campaign_id: number | null;
  venue_id: number | null;
  address: string;
  city: string;
  country: string;
  latitude: number | null;
  longitude: number | null;
  timezone: string;
  starts_local: string;
  ends_local: string;
  demand_ids: number[];
  capacity: number | null;
  waitlist_enabled: boolean;
  approve_attendees: boolean;
  headcount_only_allowed: boolean;
  meeting_point_private: boolean;
  meeting_point: string;
  contact_text: string;
  legal_support: string;
  language: string;
  action_status: ActionStatus;
  attendance_count: number | null;
}

export type Organiser = Pick<UserRow, 'id' | 'role'>;

export type SaveResult = { ok: true; event: EventRow } | { ok: false; errors: FieldErrors };

/** "Free the Picket Five: Minsk" -> "free-the-picket-five-minsk" (see lib/slug). */
export function slugify(title: string): string {
  return slugText(title, 60);
}

/** The event, if `user` owns it or is an admin: 404 when it does not exist, 403 otherwise. */
export async function eventForOrganiser(deps: Pick<AppDeps, 'db'>, user: Actor, id: number): Promise<EventRow> {
  const event = await q.findEvent(deps.db, id);
  if (!event) throw new NotFound();
  authorize(user, 'manage', picket(event));
  return event;
}

/** Campaigns the user may attach a picket to, with their demands (for the form). */
export async function formChoices(deps: Pick<AppDeps, 'db'>, user: Organiser) {
  const campaigns = await q.usableCampaigns(deps.db, ownerScope(user));
  const demands = await q.demandsOfCampaigns(deps.db, campaigns.map((c) => c.id));
  return {
    campaigns,
    demandsByCampaign: campaigns.map((c) => ({ campaign: c, demands: demands.filter((d) => d.campaign_id === c.id) })),
  };
}

/** The place and wall-clock times of a picket form (the organiser's, or a host's proposal). */
export type PlaceAndTimeForm = Pick<EventForm, 'venue_id' | 'address' | 'city' | 'country' | 'latitude' | 'longitude' | 'timezone' | 'starts_local' | 'ends_local'>;

/**
 * The one rule for where and when a picket is: a venue from the directory (its address, point and
 * zone) or a free place with a point; times typed in the place's zone, a time skipped by a
 * daylight-saving change refused, the end after the start.
 */
export async function resolvePlaceAndTime(db: Knex, form: PlaceAndTimeForm): Promise<{
  errors: FieldErrors;
  place: { address: string; city: string; country: string; latitude: number | null; longitude: number | null };
  zone: string; startsAt?: Date; endsAt?: Date;
}> {
  const errors: FieldErrors = {};
  let place = { address: form.address, city: form.city, country: form.country, latitude: form.latitude, longitude: form.longitude };
  let zone = form.timezone;
  if (form.venue_id !== null) {
    const venue = await findVenue(db, form.venue_id);
    if (!venue) errors.venue_id = 'events.errors.unknownVenue';
    else {
      place = { address: venue.address, city: venue.city, country: venue.country, latitude: venue.latitude, longitude: venue.longitude };
      zone ||= venue.timezone;
    }
  } else {
    if (!place.city) errors.city = 'errors.required';
    if (!place.country) errors.country = 'errors.required';
    if (place.latitude === null && !errors.latitude) errors.latitude = 'events.errors.pointRequired';
    if (place.longitude === null && !errors.longitude) errors.longitude = 'events.errors.pointRequired';
    if (!zone && place.latitude !== null && place.longitude !== null) zone = zoneAt(place.latitude, place.longitude) ?? '';
  }

  let startsAt: Date | undefined;
  let endsAt: Date | undefined;
  if (!zone) {
    if (!errors.venue_id && !errors.latitude && !errors.longitude) errors.timezone = 'events.errors.noZone';
  } else if (!isValidZone(zone)) {
    errors.timezone = 'errors.timeZone';
  } else {
    const start = localToInstant(form.starts_local, zone);
    const end = localToInstant(form.ends_local, zone);
    if (start.ok) startsAt = start.instant;
    else errors.starts_local = start.error;
    if (end.ok) endsAt = end.instant;
    else errors.ends_local = end.error;
    if (startsAt && endsAt && endsAt <= startsAt) errors.ends_local = 'events.errors.endBeforeStart';
  }

  return { errors, place, zone, startsAt, endsAt };
}

/** Checks what only the database and the zone rules can tell, and builds the row. */
async function resolve(db: Knex, user: Organiser, form: EventForm): Promise<
  { ok: true; input: Omit<q.EventInput, 'owner_id' | 'status' | 'slug'>; demandIds: number[] } | { ok: false; errors: FieldErrors }
> {
  const errors: FieldErrors = {};
  let demands: DemandRow[] = [];
  if (form.campaign_id !== null) {
    const usable = await q.usableCampaigns(db, ownerScope(user));
    if (!usable.some((c) => c.id === form.campaign_id)) errors.campaign_id = 'events.errors.unknownCampaign';
    else demands = await q.demandsOfCampaigns(db, [form.campaign_id]);
  }
  const demandIds = [...new Set(form.demand_ids)];
  if (!errors.campaign_id && demandIds.some((id) => !demands.some((d) => d.id === id))) {
    errors.demand_ids = 'events.errors.unknownDemand';
  }

  const where = await resolvePlaceAndTime(db, form);
  Object.assign(errors, where.errors);
  const { place, zone, startsAt, endsAt } = where;

  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    demandIds,
    input: {
      campaign_id: form.campaign_id,
      kind: form.kind,
      title: form.title,
      description: form.description,
      language: form.language || null,
      venue_id: form.venue_id,
      address: place.address,
      city: place.city,
      country: place.country,
      latitude: place.latitude!,
      longitude: place.longitude!,
      meeting_point_private: form.meeting_point_private,
      meeting_point: form.meeting_point,
      starts_at: startsAt!,
      ends_at: endsAt!,
      timezone: zone,
      capacity: form.capacity,
      waitlist_enabled: form.waitlist_enabled,
      approve_attendees: form.approve_attendees,
      headcount_only_allowed: form.headcount_only_allowed,
      action_status: form.action_status,
      contact_text: form.contact_text,
      legal_support: form.legal_support,
      attendance_count: form.attendance_count,
    },
  };
}

/** A new picket, always a draft: nothing is public until its organiser publishes it. */
export async function createEvent(deps: Pick<AppDeps, 'db'>, user: Organiser, form: EventForm): Promise<SaveResult> {
  const resolved = await resolve(deps.db, user, form);
  if (!resolved.ok) return resolved;
  const event = await deps.db.transaction(async (trx) => {
    const row = await q.insertEvent(trx, { ...resolved.input, owner_id: user.id, status: 'draft', slug: slugify(form.title) });
    await q.setEventDemands(trx, row.id, resolved.demandIds);
    return row;
  });
  return { ok: true, event };
}

const WATCHED: (keyof EventRow)[] = ['starts_at', 'ends_at', 'timezone', 'venue_id', 'address', 'city', 'country',
  'latitude', 'longitude', 'meeting_point', 'meeting_point_private', 'status'];

/** Time, place or status differ: attendees must be told (see event-changes). */
export function mattersToAttendees(before: EventRow, after: EventRow): boolean {
  return WATCHED.some((key) => {
    const a = before[key];
    const b = after[key];
    return a instanceof Date && b instanceof Date ? a.getTime() !== b.getTime() : String(a) !== String(b);
  });
}

type ChangeDeps = Pick<AppDeps, 'db' | 'config' | 'i18n' | 'clock'>;

/** Locks the event, checks the user may change it, applies `change` and tells attendees if it matters. */
async function changeEvent(
  deps: ChangeDeps, user: Actor, id: number,
  change: (trx: Knex.Transaction, before: EventRow) => Promise<EventRow>,
): Promise<EventRow> {
  return deps.db.transaction(async (trx) => {
    const before = await q.findEventForUpdate(trx, id);
    if (!before) throw new NotFound();
    authorize(user, 'manage', picket(before));
    const after = await change(trx, before);
    if (mattersToAttendees(before, after)) await eventChanged(trx, deps, before, after);
    return after;
  });
}

export async function updateEvent(deps: ChangeDeps, user: Organiser, id: number, form: EventForm): Promise<SaveResult> {
  await eventForOrganiser(deps, user, id); // 404/403 before saying anything about the form
  const resolved = await resolve(deps.db, user, form);
  if (!resolved.ok) return resolved;
  try {
    const event = await changeEvent(deps, user, id, async (trx, before) => {
      // Under the event's lock, so no RSVP slips in between the count and the change.
      const capacity = resolved.input.capacity;
      if (capacity !== null && capacity !== before.capacity && capacity < (await rsvpQueries.goingCount(trx, id))) {
        throw new BadRequest({ capacity: 'rules.events.capacityBelowGoing' });
      }
      const row = await q.updateEvent(trx, id, { ...resolved.input, slug: slugify(form.title) });
      await q.setEventDemands(trx, id, resolved.demandIds);
      // More places (or no limit, or a waitlist that now counts): the waitlist moves up, in order, and hears of it.
      if (row.capacity !== before.capacity) await promoteWaitlisted(trx, id, deps.clock.now());
      return row;
    });
    return { ok: true, event };
  } catch (error) {
    if (error instanceof BadRequest && Object.keys(error.fields).length) return { ok: false, errors: error.fields };
    throw error;
  }
}

export function publishEvent(deps: ChangeDeps, user: Organiser, id: number): Promise<EventRow> {
  return changeEvent(deps, user, id, async (trx, before) => {
    if (before.status === 'published') return before;
    // Attendees were told it is off and may have made other plans: a cancelled picket stays
    // cancelled, and a new date is a new picket (duplicate it), announced afresh.
    if (before.status === 'cancelled') throw new BadRequest({}, 'rules.events.republishCancelled');
    return q.updateEvent(trx, id, { status: 'published', published_at: before.published_at ?? deps.clock.now(), cancelled_at: null });
  });
}

/** Cancelling keeps the public page, with a notice; only a published picket can be cancelled. */
export function cancelEvent(deps: ChangeDeps, user: Organiser, id: number): Promise<EventRow> {
  return changeEvent(deps, user, id, async (trx, before) => {
    if (before.status === 'cancelled') return before;
    if (before.status !== 'published') throw new BadRequest({}, 'events.errors.cancelDraft');
    return q.updateEvent(trx, id, { status: 'cancelled', cancelled_at: deps.clock.now() });
  });
}

/** Only drafts can be deleted: once public, a picket stays on record (cancel it instead). */
export async function deleteDraft(deps: Pick<AppDeps, 'db'>, user: Organiser, id: number): Promise<void> {
  await deps.db.transaction(async (trx) => {
    const event = await q.findEventForUpdate(trx, id);
    if (!event) throw new NotFound();
    authorize(user, 'manage', picket(event));
    if (event.status !== 'draft') throw new BadRequest({}, 'events.errors.deleteNotDraft');
    await q.deleteEvent(trx, id);
  });
}

/**
 * The form's values for an existing event (edit), or for a copy of it (duplicate): the same place,
 * and the same local time on a later date (the next week after today), so a weekly vigil at the
 * same embassy is two clicks. The organiser may still move either.
 */
export async function formValues(deps: Pick<AppDeps, 'db'> & Partial<Pick<AppDeps, 'clock'>>, event: EventRow, copy = false): Promise<Record<string, unknown>> {
  const demands = (await q.demandsOfEvents(deps.db, [event.id])).get(event.id) ?? [];
  const base = {
    kind: event.kind, title: event.title, description: event.description, campaign_id: event.campaign_id ?? '',
    demand_ids: demands.map((d) => String(d.id)), capacity: event.capacity ?? '',
    waitlist_enabled: event.waitlist_enabled, approve_attendees: event.approve_attendees, headcount_only_allowed: event.headcount_only_allowed,
    meeting_point_private: event.meeting_point_private, contact_text: event.contact_text, language: event.language ?? '',
    legal_support: event.legal_support,
  };
  const place = {
    venue_id: event.venue_id ?? '', address: event.address, city: event.city, country: event.country,
    latitude: event.latitude, longitude: event.longitude, timezone: event.timezone, meeting_point: event.meeting_point,
  };
  if (copy) {
    const now = (deps.clock?.now() ?? new Date()).getTime();
    const start = DateTime.fromJSDate(event.starts_at, { zone: event.timezone });
    const end = DateTime.fromJSDate(event.ends_at, { zone: event.timezone });
    // Whole weeks in the event's own zone, so 18:00 stays 18:00 across a clock change.
    let weeks = 1;
    while (start.plus({ weeks }).toMillis() <= now) weeks++;
    return {
      ...base, ...place, action_status: 'planned', waitlist_enabled: event.waitlist_enabled,
      starts_local: start.plus({ weeks }).toFormat("yyyy-MM-dd'T'HH:mm"), ends_local: end.plus({ weeks }).toFormat("yyyy-MM-dd'T'HH:mm"),
    };
  }
  return {
    ...base,
    ...place,
    starts_local: instantToLocalInput(event.starts_at, event.timezone), ends_local: instantToLocalInput(event.ends_at, event.timezone),
    action_status: event.action_status, attendance_count: event.attendance_count ?? '',
  };
}

export const DASHBOARD_PER_PAGE = 50;

/** The organiser's dashboard list: their events, or every event for an admin, a page at a time. */
export async function dashboardEvents(deps: Pick<AppDeps, 'db' | 'clock'>, user: Organiser, page: number) {
  const scope = ownerScope(user);
  const p = paging(page, await q.countOwnedBy(deps.db, scope), DASHBOARD_PER_PAGE);
  const rows = await q.eventsOwnedBy(deps.db, scope, { limit: p.perPage, offset: p.offset });
  const now = deps.clock.now();
  return { events: rows.map((row) => presentDashboardEvent(row, now)), paging: p };
}

/** The report-back of a picket: how it went (the day-of-action status) and how many came. Hosts record it for theirs. */
export function recordReportBack(
  deps: ChangeDeps, actor: Actor, id: number, report: { action_status: ActionStatus; attendance_count: number | null },
): Promise<EventRow> {
  return changeEvent(deps, actor, id, (trx) => q.updateEvent(trx, id, report));
}
