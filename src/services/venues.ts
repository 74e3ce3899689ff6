// Places: the shared directory (admin form, CSV import) and the places organisers add for their own pickets.
import { z } from 'zod';
import type { AppDeps } from '../deps';
import type { VenueRow } from '../db/tables';
import { BadRequest, NotFound } from '../lib/errors';
import { isCountryCode, validLatitude, validLongitude, zoneAt } from '../lib/places';
import { isValidZone } from '../lib/time';
import { FieldErrors, optionalText, parse, requiredText } from '../lib/validation';
import * as venues from '../queries/venues';
import { isUniqueViolation } from '../db/errors';
import { VENUE_KINDS } from '../domain/enums';
import { PlaceChoice, presentPlaceChoice } from '../presenters/venues';
import { AccountActor, accountId, Action, Actor, authorize, can, DIRECTORY, placeScope, venue as placeSubject } from '../policies';

type Deps = Pick<AppDeps, 'db'>;

const countryCode = (optional: boolean) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
    optional
      ? z.string().refine((v) => v === '' || isCountryCode(v), 'errors.countryCode').optional().default('')
      : z.string({ message: 'errors.countryCode' }).refine(isCountryCode, 'errors.countryCode'),
  );

const coordinate = (check: (n: number) => boolean, message: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim().replace(',', '.'))) : v),
    z.number({ message: 'errors.required' }).refine(check, message),
  );

/** One venue as typed in the admin form or read from a CSV row. */
export const venueSchema = z.object({
  kind: z.enum(VENUE_KINDS, { message: 'errors.invalid' }),
  name: requiredText(200),
  address: optionalText(300),
  city: requiredText(100),
  country: countryCode(false),
  represents: countryCode(true),
  latitude: coordinate(validLatitude, 'errors.latitudeRange'),
  longitude: coordinate(validLongitude, 'errors.longitudeRange'),
  timezone: z.string().trim().max(64, 'errors.tooLong').optional().default('')
    .refine((v) => v === '' || isValidZone(v), 'errors.timeZone'),
});

export type VenueForm = z.infer<typeof venueSchema>;

export type Checked = { ok: true; venue: venues.VenueInput } | { ok: false; errors: FieldErrors };

/** Validates one venue and fills in its time zone from its coordinates when none was given. */
export function checkVenue(input: unknown): Checked {
  const parsed = parse(venueSchema, input);
  if (!parsed.ok) return parsed;
  const v = parsed.data;
  const timezone = v.timezone || zoneAt(v.latitude, v.longitude);
  if (!timezone) return { ok: false, errors: { timezone: 'errors.zoneAtPoint' } };
  return {
    ok: true,
    venue: {
      kind: v.kind,
      name: v.name,
      address: v.address,
      city: v.city,
      country: v.country,
      represents: v.represents || null,
      latitude: v.latitude,
      longitude: v.longitude,
      timezone,
    },
  };
}

/** Whether a place of this name is already there for this owner (null: in the shared directory). */
async function nameProblem(db: Deps['db'], venue: venues.VenueInput, ownerId: number | null, id: number | undefined): Promise<string | null> {
  const key = { name: venue.name, city: venue.city, country: venue.country };
  const same = await venues.findVenueByKey(db, key, ownerId);
  if (same && same.id !== id) return 'errors.venueTaken';
  // An organiser's own copy of a directory place would only be a second, drifting pin.
  if (ownerId !== null && (await venues.findVenueByKey(db, key, null))) return 'errors.venueInDirectory';
  return null;
}

/** Stores a checked place: new (with its owner) or changed (keeping it); name clashes are field errors. */
async function store(deps: Deps, input: unknown, target: { id: number; ownerId: number | null } | { id?: undefined; ownerId: number | null }): Promise<VenueRow> {
  const checked = checkVenue(input);
  if (!checked.ok) throw new BadRequest(checked.errors);
  const venue = checked.venue;
  const clash = await nameProblem(deps.db, venue, target.ownerId, target.id);
  if (clash) throw new BadRequest({ name: clash });
  try {
    if (target.id === undefined) return await venues.insertVenue(deps.db, venue, target.ownerId);
    const updated = await venues.updateVenue(deps.db, target.id, venue);
    if (!updated) throw new NotFound();
    return updated;
  } catch (error) {
    // Someone saved the same place a moment ago, after the check above.
    if (isUniqueViolation(error, 'venues_name_city_country_unique') || isUniqueViolation(error, 'venues_owner_name_city_country_unique')) {
      throw new BadRequest({ name: 'errors.venueTaken' });
    }
    throw error;
  }
}

/** The admin's directory form: a new shared place, or changes to any place (its owner stays). */
export async function saveVenue(deps: Deps, actor: AccountActor, existing: VenueRow | null, input: unknown): Promise<VenueRow> {
  if (existing) authorize(actor, 'manage', placeSubject(existing));
  else authorize(actor, 'manage', DIRECTORY);
  return store(deps, input, existing ? { id: existing.id, ownerId: existing.owner_id } : { ownerId: null });
}

/** A place an organiser adds from the event form: theirs, offered to them for later pickets. */
export function addOwnPlace(deps: Deps, actor: AccountActor, input: unknown): Promise<VenueRow> {
  return store(deps, input, { ownerId: actor.id });
}

/** Changes to one of the organiser's own places (or, for an admin, anyone's). */
export async function updatePlace(deps: Deps, actor: Actor, id: number, input: unknown): Promise<VenueRow> {
  const existing = await getVenue(deps, actor, id, 'manage');
  return store(deps, input, { id: existing.id, ownerId: existing.owner_id });
}

export const VENUE_CHOICES = 30;

/**
 * The places the event form offers `actor` (the shared ones and their own): those matching what
 * the organiser searched for (at most VENUE_CHOICES, with how many match), and the one already
 * chosen, so it stays selected.
 */
export async function venueChoices(deps: Deps, actor: Actor | null, search: string, chosenId: number | null) {
  const { venues: found, total } = await venues.searchVenues(deps.db, { text: search.trim().slice(0, 100), scope: placeScope(actor), limit: VENUE_CHOICES });
  const chosen = chosenId !== null && !found.some((v) => v.id === chosenId) ? await usableVenue(deps, actor, chosenId) : undefined;
  const offered = (chosen ? [chosen, ...found] : found).map((v) => presentPlaceChoice(v, accountId(actor)));
  return { venues: offered, total, shown: found.length, search: search.trim() };
}

/** The place finder's search: places `actor` may use, by name or by the city chosen. */
export async function findPlaces(deps: Deps, actor: AccountActor, search: { q: string; city?: string; country?: string; limit: number }): Promise<PlaceChoice[]> {
  const city = search.city && search.country ? { name: search.city, country: search.country } : undefined;
  const { venues: found } = await venues.searchVenues(deps.db, { text: search.q, city, scope: placeScope(actor), limit: search.limit });
  return found.map((v) => presentPlaceChoice(v, actor.id));
}

/** The place, if `actor` (null: a visitor proposing a picket) may choose it for a picket. */
export async function usableVenue(deps: Deps, actor: Actor | null, id: number): Promise<VenueRow | undefined> {
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) return undefined; // no such id can exist
  const found = await venues.findVenue(deps.db, id);
  return found && can(actor, 'view', placeSubject(found)) ? found : undefined;
}

/** The whole directory with each place's owner, for the admin's list. */
export function listVenues(deps: Deps) {
  return venues.listVenuesWithOwners(deps.db);
}

/** The organiser's own places. */
export function listOwnPlaces(deps: Deps, actor: AccountActor): Promise<VenueRow[]> {
  return venues.listOwnVenues(deps.db, actor.id);
}

/** The place, if `actor` may do `action` to it: 404 when it does not exist, 403 otherwise. */
export async function getVenue(deps: Deps, actor: Actor, id: number, action: Action = 'manage'): Promise<VenueRow> {
  const found = Number.isInteger(id) ? await venues.findVenue(deps.db, id) : undefined;
  if (!found) throw new NotFound();
  authorize(actor, action, placeSubject(found));
  return found;
}

export interface ImportReport {
  imported: number;
  skipped: { line: number; reasons: string[] }[];
}

/**
 * Imports already-parsed CSV records in one transaction: every valid row is upserted by
 * (name, city, country); invalid rows are reported and skipped. If the database refuses any
 * row, nothing at all is stored.
 */
export async function importVenues(
  deps: Deps,
  records: { line: number; fields: Record<string, string> }[],
  onProgress: (done: number) => void = () => {},
): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, skipped: [] };
  const valid: { line: number; venue: venues.VenueInput }[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const checked = checkVenue(record.fields);
    if (!checked.ok) {
      report.skipped.push({ line: record.line, reasons: Object.entries(checked.errors).map(([f, k]) => `${f}: ${k}`) });
      continue;
    }
    const key = `${checked.venue.name}|${checked.venue.city}|${checked.venue.country}`;
    if (seen.has(key)) {
      report.skipped.push({ line: record.line, reasons: [`name: errors.venueTaken (line ${seen.get(key)})`] });
      continue;
    }
    seen.set(key, record.line);
    valid.push({ line: record.line, venue: checked.venue });
  }
  let done = report.skipped.length;
  onProgress(done);
  await deps.db.transaction(async (trx) => {
    for (const { venue } of valid) {
      await venues.upsertVenue(trx, venue);
      report.imported += 1;
      onProgress(++done);
    }
  });
  return report;
}
