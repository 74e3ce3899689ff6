// The event form's schema and what the form page needs to render (choices, venues, zones).
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import type { EventRow } from '../db/tables';
import { countryOptions, isCountryCode } from '../lib/places';
import { checkbox, optionalText, requiredText } from '../lib/validation';
import { formChoices } from '../services/events';
import { addOwnPlace, venueChoices } from '../services/venues';
import { BadRequest } from '../lib/errors';
import { ACTION_STATUSES, EVENT_KINDS } from '../domain/enums';

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const toNumber = (v: unknown) => (blank(v) ? null : Number(String(v).trim().replace(',', '.')));

/** An optional number: empty is null; anything else must be a number within [min, max]. */
const optionalNumber = (min: number, max: number, message: string, integer = false) =>
  z.preprocess(toNumber, z.number({ message }).min(min, message).max(max, message)
    .refine((n) => !integer || Number.isInteger(n), message).nullable());

const optionalId = (message: string) =>
  z.preprocess(toNumber, z.number({ message }).int(message).positive(message).nullable());

export const eventSchema = z.object({
  kind: z.enum(EVENT_KINDS, { message: 'errors.invalid' }),
  title: requiredText(200),
  description: optionalText(20000),
  campaign_id: optionalId('events.errors.unknownCampaign'),
  venue_id: optionalId('events.errors.unknownVenue'),
  address: optionalText(300),
  city: optionalText(100),
  country: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : ''),
    z.string().refine((v) => v === '' || isCountryCode(v), 'events.errors.country')),
  latitude: optionalNumber(-90, 90, 'events.errors.latitude'),
  longitude: optionalNumber(-180, 180, 'events.errors.longitude'),
  timezone: optionalText(64),
  starts_local: z.string({ message: 'errors.dateTime' }).trim().min(1, 'errors.dateTime'),
  ends_local: z.string({ message: 'errors.dateTime' }).trim().min(1, 'errors.dateTime'),
  demand_ids: z.preprocess(
    (v) => (blank(v) ? [] : (Array.isArray(v) ? v : [v])).map((x) => (/^\d+$/.test(String(x)) ? Number(x) : -1)),
    z.array(z.number()).refine((ids) => ids.every((id) => id > 0), 'events.errors.unknownDemand'),
  ),
  capacity: optionalNumber(1, 100000, 'events.errors.capacity', true),
  waitlist_enabled: checkbox(),
  approve_attendees: checkbox(),
  headcount_only_allowed: checkbox(),
  meeting_point_private: checkbox(),
  meeting_point: optionalText(500),
  contact_text: optionalText(1000),
  legal_support: optionalText(60),
  language: z.string().trim().max(12, 'errors.tooLong')
    .regex(/^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$/, 'events.errors.language').optional().default(''),
  action_status: z.enum(ACTION_STATUSES, { message: 'errors.invalid' }).optional().default('planned'),
  attendance_count: optionalNumber(0, 10_000_000, 'events.errors.attendance', true),
});

/** The form was sent with "Find places": show the places matching its search, save nothing. */
export function isVenueSearch(body: Record<string, unknown> | undefined): boolean {
  return Boolean(body && body.find_venue !== undefined);
}

/** The form was sent with "Save this place": add the typed place to the organiser's own places. */
export function isAddPlace(body: Record<string, unknown> | undefined): boolean {
  return Boolean(body && body.add_place !== undefined);
}

/** The place's own fields are named place_*; the rest are the event's address fields. */
const PLACE_FIELDS: Record<string, string> = { name: 'place_name', kind: 'place_kind', represents: 'place_represents' };

/**
 * "Save this place": the address, city, country, point and zone typed for the picket, with the
 * place's name and kind, become a place the organiser owns, chosen for this picket. The rest of
 * the form comes back as typed; a bad field gets its message where it was typed.
 */
export async function addPlaceFromForm(deps: AppDeps, req: Request, res: Response, event?: EventRow): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const values = typedValues(body);
  const input = {
    name: body.place_name, kind: body.place_kind || 'other', represents: body.place_represents ?? '',
    address: body.address, city: body.city, country: body.country, latitude: body.latitude, longitude: body.longitude, timezone: body.timezone,
  };
  try {
    const place = await addOwnPlace(deps, req.user!, input);
    Object.assign(values, { venue_id: String(place.id), place_name: '', place_kind: '', place_represents: '', venue_q: '' });
    return renderEventForm(deps, req, res, { values, errors: {}, event, placeAdded: place.name });
  } catch (error) {
    if (!(error instanceof BadRequest) || !Object.keys(error.fields).length) throw error;
    const errors = Object.fromEntries(Object.entries(error.fields).map(([field, message]) => [PLACE_FIELDS[field] ?? field, message]));
    return renderEventForm(deps, req, res, { status: 400, values, errors, event });
  }
}

/** The user's input as typed, for re-rendering the form (checkbox lists as arrays). */
export function typedValues(body: Record<string, unknown> | undefined): Record<string, unknown> {
  const values = { ...(body ?? {}) };
  delete values._csrf;
  const ids = values.demand_ids;
  values.demand_ids = ids === undefined ? [] : Array.isArray(ids) ? ids.map(String) : [String(ids)];
  for (const box of ['waitlist_enabled', 'approve_attendees', 'headcount_only_allowed', 'meeting_point_private']) values[box] = Boolean(values[box]);
  return values;
}

let zoneList: string[] | undefined;

export async function renderEventForm(
  deps: AppDeps, req: Request, res: Response,
  locals: { status?: number; values: Record<string, unknown>; errors: Record<string, string>; event?: EventRow; duplicateOf?: EventRow; placeAdded?: string },
): Promise<void> {
  const values = locals.values;
  const chosen = /^\d{1,9}$/.test(String(values.venue_id ?? '')) ? Number(values.venue_id) : null;
  const search = typeof values.venue_q === 'string' ? values.venue_q : '';
  const [choices, venueChoice] = await Promise.all([formChoices(deps, req.user!), venueChoices(deps, req.user!, search, chosen)]);
  zoneList ??= Intl.supportedValuesOf('timeZone');
  const t = req.t;
  res.status(locals.status ?? 200).page('organise-event-form', {
    title: locals.event ? t('events.form.editTitle', { title: locals.event.title }) : t('events.form.newTitle'),
    event: null,
    duplicateOf: null,
    placeAdded: null,
    ...locals,
    action: locals.event ? `/organise/events/${locals.event.id}` : '/organise/events',
    choices,
    venues: venueChoice.venues,
    venueSearch: venueChoice,
    kinds: EVENT_KINDS,
    actionStatuses: ACTION_STATUSES,
    countries: countryOptions(req.locale),
    zones: zoneList,
    head: '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css">',
    scripts: ['/vendor/leaflet/leaflet.js', '/vendor/topojson/topojson-client.min.js', '/public/js/offline/base-map.js', '/public/js/point-picker.js', '/public/js/place-finder.js'],
  });
}
