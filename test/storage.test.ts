// Where files live is invisible to the people who use Picket: the same answers, headers and
// clean-up whether the store is local disk or a bucket on an S3 server. Jest runs this file
// twice, once per store (the "disk" and "bucket" projects).
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { PDFDocument } from 'pdf-lib';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { detailedPicture, upload } from './support/media';
import { testStorageKind } from './support/s3';
import type { SubmissionRow } from '../src/db/tables';

let h: Harness;
let owner: Awaited<ReturnType<typeof buildUser>>;
let eventId: number;

beforeAll(async () => {
  h = await createHarness();
  owner = await buildUser(h.database.db);
  eventId = (await buildEvent(h.database.db, owner, { starts_at: new Date(Date.now() - 26 * 3600_000) })).id;
});
afterAll(async () => {
  await h.close();
});

// superagent's Response is the raw stream here, though its type says otherwise.
const binary = (res: unknown, cb: (err: Error | null, body: Buffer) => void) => {
  const r = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** Every file the store really holds, read from its folder without Picket's help. */
function filesOnTheStore(): string[] {
  const root = h.s3 ? path.join(h.s3.directory, h.s3.bucket) : path.join(h.dataDir, 'uploads');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile());
}

async function letterPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < 12; i++) doc.addPage().drawText(`Page ${i + 1}: free all political prisoners`, { x: 50, y: 700, size: 18 });
  return Buffer.from(await doc.save());
}

async function send(fields: Record<string, string>, file: { data: Buffer; filename: string; contentType: string }): Promise<SubmissionRow> {
  const res = await upload(request.agent(h.app), eventId, fields, [file], { json: true });
  expect(res.status).toBe(201);
  return h.database.db('submissions').orderBy('id', 'desc').first();
}

async function organiser() {
  const agent = request.agent(h.app);
  await logIn(agent, owner.email, owner.password);
  return agent;
}

test(`(${testStorageKind()}) the files really are where the settings say`, () => {
  expect(h.deps.storage.describe()).toMatch(testStorageKind() === 'bucket' ? /^bucket picket-test at http:\/\/127\.0\.0\.1:\d+$/ : /^disk /);
});

test('a PDF reader fetches a letter a range at a time; the headers are the same as for the whole file', async () => {
  const letter = await send({ kind: 'letter', caption: 'Handed in at the gate' }, { data: await letterPdf(), filename: 'l.pdf', contentType: 'application/pdf' });
  const address = `/media/${letter.storage_key}/letter`;
  // Not approved yet: nobody gets a byte of it, range or not.
  expect((await request(h.app).get(address)).status).toBe(404);
  expect((await request(h.app).get(address).set('Range', 'bytes=0-99')).status).toBe(404);

  const agent = await organiser();
  expect((await submitForm(agent, `/organise/events/${eventId}/moderation`, `/organise/submissions/${letter.id}/approve`, {})).status).toBe(303);

  const whole = await request(h.app).get(address).buffer(true).parse(binary);
  expect(whole.status).toBe(200);
  expect(whole.headers).toMatchObject({ 'content-type': 'application/pdf', 'cache-control': 'public, max-age=3600', 'accept-ranges': 'bytes' });
  const size = (whole.body as Buffer).length;
  expect((whole.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

  const first = await request(h.app).get(address).set('Range', 'bytes=0-99').buffer(true).parse(binary);
  expect(first.status).toBe(206);
  expect(first.headers['content-range']).toBe(`bytes 0-99/${size}`);
  expect(first.headers['cache-control']).toBe('public, max-age=3600');
  expect(first.headers['content-disposition']).toContain('attachment');
  expect(first.body).toEqual((whole.body as Buffer).subarray(0, 100));

  const tail = await request(h.app).get(address).set('Range', 'bytes=-50').buffer(true).parse(binary);
  expect(tail.status).toBe(206);
  expect(tail.headers['content-range']).toBe(`bytes ${size - 50}-${size - 1}/${size}`);
  expect(tail.body).toEqual((whole.body as Buffer).subarray(size - 50));

  const beyond = await request(h.app).get(address).set('Range', `bytes=${size + 10}-`);
  expect(beyond.status).toBe(416);
  expect(beyond.headers['content-range']).toBe(`bytes */${size}`);
});

test('a blurred photo leaves no unblurred copy in the store, and a rejected one leaves nothing', async () => {
  const photo = await send({ caption: 'Crowd' }, { data: await detailedPicture(), filename: 'a.jpg', contentType: 'image/jpeg' });
  const refused = await send({ caption: 'Faces' }, { data: await detailedPicture(), filename: 'b.jpg', contentType: 'image/jpeg' });
  expect(filesOnTheStore().some((f) => f.includes(photo.storage_key!))).toBe(true);

  const agent = await organiser();
  const page = `/organise/events/${eventId}/moderation`;
  expect((await submitForm(agent, page, `/organise/submissions/${photo.id}/mask`, { regions: JSON.stringify([{ x: 0.1, y: 0.1, w: 0.5, h: 0.5 }]) })).status).toBe(303);
  expect((await submitForm(agent, page, `/organise/submissions/${refused.id}/reject`, { reason: 'Faces' })).status).toBe(303);

  const blurredKey = (await h.database.db('submissions').where({ id: photo.id }).first()).storage_key;
  const files = filesOnTheStore();
  expect(files.some((f) => f.includes(blurredKey))).toBe(true);
  expect(files.some((f) => f.includes(photo.storage_key!))).toBe(false);
  expect(files.some((f) => f.includes(refused.storage_key!))).toBe(false);
  expect(await h.deps.storage.size(`media/${photo.storage_key}/display.jpg`)).toBeNull();
});
