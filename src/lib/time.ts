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
  return DateTime.fromJSDate(instant, { zone }).setLocale(intlLocale(locale)).toLocaleString({
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

export function formatTime(instant: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale(intlLocale(locale)).toLocaleString(DateTime.TIME_24_SIMPLE);
}

export function formatDate(instant: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale(intlLocale(locale)).toLocaleString(DateTime.DATE_FULL);
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

// ---- Locale-aware wording for people (languages and accessibility, issue 7) ----

type T = (key: string, options?: Record<string, unknown>) => string;

/** The Intl locale for an interface language: our English is British ("16 December", 24-hour clock). */
export function intlLocale(locale: string): string {
  return locale === 'en' ? 'en-GB' : locale;
}

/** The zone's city in the reader's language ("Europe/London" gives "Londres" in French), else its English name. */
export function localZoneCity(zone: string, t: T): string {
  return t(`common.zones.${zone}`, { defaultValue: zoneCity(zone) }) || zoneCity(zone);
}

/** "(heure de Londres)", "(London time)": which clock a time is read on. */
export function zoneLabel(zone: string, t: T): string {
  const city = localZoneCity(zone, t);
  // French elides before a vowel ("heure d'Athènes"); the other languages make both keys the same.
  const key = /^[aeiouyàâäéèêëîïôöùûüh]/i.test(city) ? 'common.time.zoneVowel' : 'common.time.zone';
  return t(key, { city });
}

/** "16 December", "16 décembre", "16. Dezember", "16 декабря" (with the year when asked). */
export function formatDayMonth(instant: Date, zone: string, locale: string, withYear = false): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale(intlLocale(locale)).toLocaleString({
    day: 'numeric', month: 'long', ...(withYear ? { year: 'numeric' as const } : {}),
  });
}

/** "16 décembre, 19:00 (heure de Londres)": an event's start, in its own zone and the reader's language. */
export function formatEventTime(instant: Date, zone: string, locale: string, t: T, opts: { withYear?: boolean } = {}): string {
  return t('common.time.dayAtTime', {
    day: formatDayMonth(instant, zone, locale, opts.withYear),
    time: formatTime(instant, zone, intlLocale(locale)),
    zone: zoneLabel(zone, t),
  });
}

/** "16 December, 19:00–21:00 (London time)"; a span over midnight names both days. */
export function formatEventRange(start: Date, end: Date | null, zone: string, locale: string, t: T, opts: { withYear?: boolean } = {}): string {
  if (!end) return formatEventTime(start, zone, locale, t, opts);
  const sameDay = DateTime.fromJSDate(start, { zone }).hasSame(DateTime.fromJSDate(end, { zone }), 'day');
  const startTime = formatTime(start, zone, intlLocale(locale));
  const endTime = formatTime(end, zone, intlLocale(locale));
  if (sameDay) {
    return t('common.time.dayAtRange', { day: formatDayMonth(start, zone, locale, opts.withYear), start: startTime, end: endTime, zone: zoneLabel(zone, t) });
  }
  return t('common.time.spanDays', {
    start: `${formatDayMonth(start, zone, locale, opts.withYear)}, ${startTime}`,
    end: `${formatDayMonth(end, zone, locale, opts.withYear)}, ${endTime}`,
    zone: zoneLabel(zone, t),
  });
}

/**
 * "Friday 14 March 2031", "vendredi 14 mars 2031", "Freitag, 14. März 2031": a day with its weekday.
 * British English is spelled out, because ICU versions disagree on the comma after the weekday.
 */
export function formatLongDate(instant: Date, zone: string, locale: string): string {
  const dt = DateTime.fromJSDate(instant, { zone }).setLocale(intlLocale(locale));
  if (locale === 'en') return dt.toFormat('cccc d LLLL yyyy');
  return dt.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/** 1,234 / 1 234 / 1.234: counts in the reader's language. */
export function formatNumber(value: number, locale: string): string {
  return new Intl.NumberFormat(intlLocale(locale)).format(value);
}
