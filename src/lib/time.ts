// Times: stored as UTC instants (timestamptz) plus the event's IANA zone; shown in that zone.
// Luxon is the only date library.
import { DateTime, IANAZone } from 'luxon';

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export type LocalTimeResult =
  | { ok: true; instant: Date }
  | { ok: false; error: 'errors.dateTime' | 'errors.timeZone' | 'errors.dstGap' };

/**
 * Turns a wall-clock time ("2026-12-16T19:00" as typed in a form) in `zone` into an instant.
 * A time that does not exist in that zone (skipped by a daylight-saving change) is an error,
 * not silently moved.
 */
export function localToInstant(local: string, zone: string): LocalTimeResult {
  if (!isValidZone(zone)) return { ok: false, error: 'errors.timeZone' };
  const parsed = DateTime.fromISO(local, { zone, setZone: true });
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local) || !parsed.isValid) {
    return { ok: false, error: 'errors.dateTime' };
  }
  if (parsed.toFormat(local.length > 16 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm") !== local) {
    return { ok: false, error: 'errors.dstGap' };
  }
  return { ok: true, instant: parsed.toJSDate() };
}

/** The value for an <input type="datetime-local"> showing `instant` in `zone`. */
export function instantToLocalInput(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** ISO 8601 with the zone's offset, e.g. 2026-12-16T19:00:00+00:00. */
export function isoInZone(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true })!;
}

/** "Wednesday 16 December 2026, 19:00" in the language `locale`, in `zone`. */
export function formatDateTime(instant: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale(locale).toLocaleString({
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

export function formatTime(instant: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale(locale).toLocaleString(DateTime.TIME_24_SIMPLE);
}

export function formatDate(instant: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale(locale).toLocaleString(DateTime.DATE_FULL);
}

/** The city part of an IANA zone: "America/New_York" gives "New York". */
export function zoneCity(zone: string): string {
  return (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
}

/** The zone's offset at `instant`, e.g. "UTC+5". */
export function zoneOffset(instant: Date, zone: string): string {
  const dt = DateTime.fromJSDate(instant, { zone });
  return dt.offset === 0 ? 'UTC' : `UTC${dt.toFormat('ZZ').replace(':00', '')}`;
}
