// Admins keep the directory of embassies and squares: by form, or by importing a CSV file.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { importVenueFile, readVenueCsv } from '../src/cli/import-venues';
import { searchCities, zoneAt } from '../src/lib/places';
import { listVenues } from '../src/queries/venues';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildUser, PASSWORD } from './support/factories';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await createHarness();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-venues-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await h.close();
});

const venueCount = async () => Number((await h.database.db('venues').count({ n: '*' }).first())!.n);

function csvFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function adminAgent() {
  const admin = await buildUser(h.database.db, { role: 'admin' });
  const agent = request.agent(h.app);
  await logIn(agent, admin.email, PASSWORD);
  return agent;
}

describe('time zones come from coordinates, offline', () => {
  test.each([
    ['London', 51.5009, -0.1887, 'Europe/London'],
    ['Almaty', 43.2380, 76.9450, 'Asia/Almaty'],
    ['New York', 40.7506, -73.9700, 'America/New_York'],
    ['Sydney', -33.8688, 151.2093, 'Australia/Sydney'],
    ['Vilnius', 54.6872, 25.2797, 'Europe/Vilnius'],
  ])('%s', (_city, lat, lon, zone) => {
    expect(zoneAt(lat, lon)).toBe(zone);
  });

  test('a city search finds cities from the bundled list, with their zone', () => {
    const [minsk] = searchCities('minsk', { limit: 1 });
    expect(minsk).toMatchObject({ name: 'Minsk', country: 'BY', timezone: 'Europe/Minsk' });
    const [zurich] = searchCities('zurich');
    expect(zurich.name).toBe('Zürich');
    expect(searchCities('london', { country: 'CA' })[0]).toMatchObject({ name: 'London', country: 'CA', timezone: 'America/Toronto' });
    // Names that merely contain the query come after those that start with it.
    const fominsk = searchCities('fominsk', { limit: 5 }).map((c) => c.name);
    expect(fominsk).toContain('Naro-Fominsk');
    expect(searchCities('minsk', { limit: 3 }).map((c) => c.name)).toEqual(['Minsk', 'Mińsk Mazowiecki', 'Naro-Fominsk']);
  });

  test('the event form can search cities over JSON; bad queries are a 400', async () => {
    await buildUser(h.database.db); // past the first-run redirect
    const res = await request(h.app).get('/api/places/search?q=Almat&limit=3');
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ name: 'Almaty', country: 'KZ', timezone: 'Asia/Almaty' });
    const bad = await request(h.app).get('/api/places/search?q=a&country=ZZ');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fields).sort()).toEqual(['country', 'q']);
  });
});

describe('an admin adds places by form', () => {
  test('the time zone is found from the coordinates when left empty, and the place is listed', async () => {
    const agent = await adminAgent();
    const res = await submitForm(agent, '/admin/venues/new', '/admin/venues', {
      kind: 'embassy', name: 'Embassy of Belarus in Kazakhstan', address: 'Kabanbay Batyr 17', city: 'Astana', country: 'kz',
      represents: 'BY', latitude: '51,1282', longitude: '71.4307', timezone: '',
    });
    expect(res.status).toBe(303);
    const venue = await h.database.db('venues').where({ name: 'Embassy of Belarus in Kazakhstan' }).first();
    expect(venue).toMatchObject({ country: 'KZ', represents: 'BY', latitude: 51.1282, timezone: expect.stringMatching(/^Asia\/(Almaty|Astana)$/) });
    const list = await agent.get('/admin/venues');
    expect(list.text).toContain('Embassy of Belarus in Kazakhstan');
    expect((await listVenues(h.database.db, { represents: 'BY' })).map((v) => v.name)).toContain('Embassy of Belarus in Kazakhstan');

    const edit = await submitForm(agent, `/admin/venues/${venue.id}`, `/admin/venues/${venue.id}`, {
      kind: 'embassy', name: 'Embassy of Belarus in Kazakhstan', address: 'Kabanbay Batyr 17', city: 'Astana', country: 'KZ',
      represents: 'BY', latitude: '51.1282', longitude: '71.4307', timezone: 'Asia/Almaty',
    });
    expect(edit.status).toBe(303);
    expect((await h.database.db('venues').where({ id: venue.id }).first()).timezone).toBe('Asia/Almaty');
  });

  test('bad coordinates, an unknown zone or country come back with one message per field; nothing is stored', async () => {
    const agent = await adminAgent();
    const before = await venueCount();
    const res = await submitForm(agent, '/admin/venues/new', '/admin/venues', {
      kind: 'embassy', name: '', address: '', city: 'Nowhere', country: 'QQ', represents: 'ZZ', latitude: '91', longitude: '-180.5', timezone: 'Mars/Olympus_Mons',
    });
    expect(res.status).toBe(400);
    for (const message of [
      'This field is required', 'Choose a country', 'Latitude must be a number between -90 and 90',
      'Longitude must be a number between -180 and 180', 'Unknown time zone',
    ]) expect(res.text).toContain(message);
    expect(res.text).toContain('value="91"');
    expect(res.text).toContain('value="Mars/Olympus_Mons"');
    expect(res.text).toContain('There are problems with 6 fields');
    expect(await venueCount()).toBe(before);
  });

  test('organisers cannot reach the directory forms', async () => {
    const organiser = await buildUser(h.database.db);
    const agent = request.agent(h.app);
    await logIn(agent, organiser.email, PASSWORD);
    expect((await agent.get('/admin/venues')).status).toBe(403);
    const res = await submitForm(agent, '/organise', '/admin/venues', { kind: 'square', name: 'X', city: 'Y', country: 'GB', latitude: '1', longitude: '1' });
    expect(res.status).toBe(403);
  });
});

const HEADER = 'kind,name,address,city,country,represents,latitude,longitude,timezone\n';

describe('importing places from a CSV file', () => {
  test('a good file is imported, and importing it again changes nothing', async () => {
    const file = csvFile('good.csv', HEADER +
      'embassy,Embassy of Belarus in London,6 Kensington Court,London,GB,BY,51.5009,-0.1887,\n' +
      'embassy,"Embassy of Belarus, Tokyo",4-2-1 Azabudai,Tokyo,JP,BY,35.6585,139.7413,Asia/Tokyo\n' +
      'square,Kazakh square,,Almaty,KZ,,43.2380,76.9450,\n');
    const lines: string[] = [];
    const report = await importVenueFile(h.database.db, file, { log: (l) => lines.push(l) });
    expect(report).toEqual({ imported: 3, skipped: [] });
    expect(lines[0]).toBe('3 place(s) imported or updated, 0 row(s) skipped.');
    const tokyo = await h.database.db('venues').where({ city: 'Tokyo' }).first();
    expect(tokyo).toMatchObject({ name: 'Embassy of Belarus, Tokyo', timezone: 'Asia/Tokyo', represents: 'BY' });
    expect((await h.database.db('venues').where({ city: 'Almaty' }).first()).timezone).toBe('Asia/Almaty');
    const count = await venueCount();
    await importVenueFile(h.database.db, file, { log: () => {} });
    expect(await venueCount()).toBe(count);
  });

  test('rows with bad values are skipped and reported with their line and reason', async () => {
    const before = await venueCount();
    const file = csvFile('rows.csv', HEADER +
      'embassy,Embassy of Belarus in Paris,38 boulevard Suchet,Paris,FR,BY,48.8616,2.2683,\n' +
      'embassy,Nowhere embassy,,Atlantis,XX,BY,12,12,\n' +
      'palace,Wrong kind,,Berlin,DE,,52.5,13.4,\n' +
      'embassy,Too far north,,Svalbard,NO,BY,95,10,\n' +
      'embassy,Bad zone,,Vienna,AT,BY,48.2,16.37,Europe/Atlantis\n' +
      'embassy,Embassy of Belarus in Paris,38 boulevard Suchet,Paris,FR,BY,48.8616,2.2683,\n');
    const lines: string[] = [];
    const report = await importVenueFile(h.database.db, file, { log: (l) => lines.push(l) });
    expect(report.imported).toBe(1);
    expect(report.skipped).toEqual([
      { line: 3, reasons: ['country: errors.countryCode'] },
      { line: 4, reasons: ['kind: errors.invalid'] },
      { line: 5, reasons: ['latitude: errors.latitudeRange'] },
      { line: 6, reasons: ['timezone: errors.timeZone'] },
      { line: 7, reasons: ['name: errors.venueTaken (line 2)'] },
    ]);
    expect(lines).toContain('  line 5: latitude: errors.latitudeRange');
    expect(await venueCount()).toBe(before + 1);
  });

  test.each([
    ['broken quoting', HEADER + 'embassy,"Unclosed quote,,Paris,FR,BY,48.8,2.3,\nembassy,Fine,,Rome,IT,BY,41.9,12.5,\n', /not a valid CSV file/],
    ['a missing column', 'kind,name,city,country,latitude,longitude\nembassy,Fine,Rome,IT,41.9,12.5\n', /missing column\(s\): address, represents/],
    ['a row with too many fields', HEADER + 'embassy,Fine,,Rome,IT,BY,41.9,12.5,\nembassy,Extra,,Oslo,NO,BY,59.9,10.7,,surprise\n', /not a valid CSV file/],
    ['no rows', HEADER, /no rows/],
  ])('a file with %s imports nothing', async (_what, text, message) => {
    const before = await venueCount();
    expect(() => readVenueCsv(text)).toThrow(message);
    await expect(importVenueFile(h.database.db, csvFile('bad.csv', text), { log: () => {} })).rejects.toThrow(message);
    expect(await venueCount()).toBe(before);
  });

  test('if the database refuses one row, none of the file is kept', async () => {
    const before = await venueCount();
    // Validation passes, but PostgreSQL refuses a NUL byte in text: the second row fails in the
    // database and the first, already written, is rolled back with it.
    const file = csvFile('refused.csv', HEADER +
      'embassy,Embassy of Belarus in Rome,,Rome,IT,BY,41.9,12.5,\n' +
      'embassy,Embassy of Belarus in Oslo,,Os\u0000lo,NO,BY,59.9,10.7,\n');
    await expect(importVenueFile(h.database.db, file, { log: () => {} })).rejects.toThrow();
    expect(await venueCount()).toBe(before);
    expect(await h.database.db('venues').where({ city: 'Rome' }).first()).toBeUndefined();
  });

  test('npm run import:venues reads the file and prints the report', async () => {
    const file = csvFile('cli.csv', HEADER +
      'embassy,Embassy of Belarus in Warsaw,ul. Wiertnicza 58,Warsaw,PL,BY,52.1905,21.0750,\n' +
      'embassy,Broken,,Nowhere,PL,BY,52,200,\n');
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'src/cli/import-venues.ts', file], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: h.database.url, DATA_DIR: dir, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
    });
    expect(stdout).toContain('1 place(s) imported or updated, 1 row(s) skipped.');
    expect(stdout).toContain('line 3: longitude: Longitude must be a number between -180 and 180');
    expect((await h.database.db('venues').where({ city: 'Warsaw' }).first()).timezone).toBe('Europe/Warsaw');
  });
});
