// The demo seed shows what a report-back looks like: approved photos (clean, like any upload)
// and a handed-in letter on past pickets; running it again adds nothing.
import request from 'supertest';
import exifr from 'exifr';
import { runSeed } from '../src/seed';
import { handinSummary } from '../src/queries/submissions';
import { createHarness, Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

test('past demo pickets get approved photos and a letter, once', async () => {
  await runSeed({ db: h.database.db, storage: h.deps.storage, seedPassword: 'demo password 123' });
  const photos = await h.database.db('submissions').where({ kind: 'photo', status: 'approved' });
  const files = await h.deps.storage.list('media/');
  expect(photos.length).toBe(8); // two photos on each of four past pickets
  expect(files.length).toBe(photos.length * 2);
  const served = await request(h.app).get(`/media/${photos[0].storage_key}/display`).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(served.status).toBe(200);
  expect(await exifr.parse(served.body, { tiff: true, gps: true, xmp: true }).catch(() => undefined)).toBeUndefined();
  const summary = await handinSummary(h.database.db, [photos[0].event_id]);
  expect(summary.get(photos[0].event_id)?.total).toBe(1);

  await runSeed({ db: h.database.db, storage: h.deps.storage, seedPassword: 'demo password 123' });
  expect(await h.database.db('submissions').count({ n: '*' }).first().then((r) => Number(r?.n))).toBe(photos.length * 1.5);
  expect(await h.deps.storage.list('media/')).toEqual(files);
});
