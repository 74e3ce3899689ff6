// The places directory: rules shared by the admin form and the CSV import.
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

/** Creates (id undefined) or updates a venue; a duplicate name in the same city is a field error. */
export async function saveVenue(deps: Deps, id: number | undefined, input: unknown): Promise<VenueRow> {
  const checked = checkVenue(input);
  if (!checked.ok) throw new BadRequest(checked.errors);
  const venue = checked.venue;
  const same = await venues.findVenueByKey(deps.db, { name: venue.name, city: venue.city, country: venue.country });
  if (same && same.id !== id) throw new BadRequest({ name: 'errors.venueTaken' });
  try {
    if (id === undefined) return await venues.insertVenue(deps.db, venue);
    const updated = await venues.updateVenue(deps.db, id, venue);
    if (!updated) throw new NotFound();
    return updated;
  } catch (error) {
    // Someone saved the same place a moment ago, after the check above.
    if (isUniqueViolation(error, 'venues_name_city_country_unique')) throw new BadRequest({ name: 'errors.venueTaken' });
    throw error;
  }
}

export const VENUE_CHOICES = 30;

/**
 * The places the event form offers: those matching what the organiser searched for (at most
 * VENUE_CHOICES, with how many match), and the one already chosen, so it stays selected.
 */
export async function venueChoices(deps: Deps, search: string, chosenId: number | null) {
  const { venues: found, total } = await venues.searchVenues(deps.db, search.trim().slice(0, 100), VENUE_CHOICES);
  const chosen = chosenId !== null && !found.some((v) => v.id === chosenId) ? await venues.findVenue(deps.db, chosenId) : undefined;
  return { venues: chosen ? [chosen, ...found] : found, total, shown: found.length, search: search.trim() };
}

/** The whole directory, for the admin's list and the event form's choice of place. */
export function listVenues(deps: Deps): Promise<VenueRow[]> {
  return venues.listVenues(deps.db);
}

export async function getVenue(deps: Deps, id: number): Promise<VenueRow> {
  const venue = Number.isInteger(id) ? await venues.findVenue(deps.db, id) : undefined;
  if (!venue) throw new NotFound();
  return venue;
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
