// Faces are masked before anything is kept: the boxes a participant's phone sends with a photo
// are painted solid into every stored size, no unmasked copy is ever stored, and boxes that make
// no sense are refused with a message. Moderators can add masks without JavaScript (a grid).
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { createHarness, csrfFrom, Harness, logIn, submitForm } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { cameraPhoto, colourAt, detailIn, near, QUADRANT_COLOURS, upload } from './support/media';
import type { SubmissionRow } from '../src/db/tables';

const PHOTO = fs.readFileSync(path.join(__dirname, 'fixtures/solvay-conference-1927.jpg'));
// Two faces of the front row (Marie Curie and Albert Einstein), as fractions of the picture.
const CURIE = { x: 0.272, y: 0.515, w: 0.06, h: 0.1 };
const EINSTEIN = { x: 0.515, y: 0.52, w: 0.06, h: 0.1 };

type Box = { x: number; y: number; w: number; h: number };

/** The brightest value of any channel inside `box` (less a margin for JPEG's soft edges): near 0 means solid black. */
async function brightestIn(data: Buffer, box: Box): Promise<number> {
  const { width = 0, height = 0 } = await sharp(data).metadata();
  const margin = 0.15;
  const left = Math.ceil((box.x + box.w * margin) * width);
  const top = Math.ceil((box.y + box.h * margin) * height);
  const cut = await sharp(data)
    .extract({ left, top, width: Math.max(1, Math.floor(box.w * (1 - 2 * margin) * width)), height: Math.max(1, Math.floor(box.h * (1 - 2 * margin) * height)) })
    .png()
    .toBuffer();
  const stats = await sharp(cut).stats();
  return Math.max(...stats.channels.map((c) => c.max));
}

let h: Harness;
let eventId: number;
let owner: Awaited<ReturnType<typeof buildUser>>;

beforeAll(async () => {
  h = await createHarness();
  owner = await buildUser(h.database.db, { name: 'Olga Owner' });
  eventId = (await buildEvent(h.database.db, owner, { title: 'Vigil at the embassy', starts_at: new Date(Date.now() - 3 * 3600_000) })).id;
});
afterAll(() => h.close());

async function latest(): Promise<SubmissionRow> {
  return h.database.db('submissions').orderBy('id', 'desc').first();
}

async function storedFiles(): Promise<string[]> {
  return (await h.deps.storage.list('media/')).sort();
}

describe('a photo sent with the masks found on the phone', () => {
  test('every stored size is solid black over each face, the rest of the picture is kept, and no unmasked copy exists', async () => {
    const before = await storedFiles();
    // Without masks, the faces are there: this is what must never be stored.
    expect(await brightestIn(PHOTO, CURIE)).toBeGreaterThan(150);
    expect(await brightestIn(PHOTO, EINSTEIN)).toBeGreaterThan(150);

    const res = await upload(request.agent(h.app), eventId, { masks: JSON.stringify([[CURIE, EINSTEIN]]) }, [{ data: PHOTO }], { json: true });
    expect(res.status).toBe(201);
    const row = await latest();
    const added = (await storedFiles()).filter((f) => !before.includes(f));
    expect(added).toEqual([`media/${row.storage_key}/display.jpg`, `media/${row.storage_key}/thumb.jpg`]);

    for (const file of added) {
      const data = (await h.deps.storage.get(file))!;
      expect(data.equals(PHOTO)).toBe(false);
      expect(await brightestIn(data, CURIE)).toBeLessThan(24);
      expect(await brightestIn(data, EINSTEIN)).toBeLessThan(24);
      // Lorentz, next to Einstein, was not marked: his face is still there.
      expect(await detailIn(data, { x: 0.395, y: 0.54, w: 0.045, h: 0.07 })).toBeGreaterThan(15);
    }
    // The moderator's preview is the masked file, as is what the public sees after approval.
    const agent = request.agent(h.app);
    await logIn(agent, owner.email, owner.password);
    const preview = await agent.get(`/organise/media/${row.storage_key}/display`);
    expect(await brightestIn(preview.body as Buffer, EINSTEIN)).toBeLessThan(24);
  });

  test('the boxes are fractions of the upright picture, whatever way the camera held it', async () => {
    // Top-left quadrant (red) masked, on a photo stored sideways with an EXIF orientation.
    const res = await upload(request.agent(h.app), eventId, { masks: JSON.stringify([[{ x: 0, y: 0, w: 0.5, h: 0.5 }]]) }, [{ data: await cameraPhoto(6) }], { json: true });
    expect(res.status).toBe(201);
    const row = await latest();
    for (const size of ['display', 'thumb']) {
      const data = (await h.deps.storage.get(`media/${row.storage_key}/${size}.jpg`))!;
      expect(near(await colourAt(data, 0.25, 0.25), [0, 0, 0], 20)).toBe(true);
      expect(near(await colourAt(data, 0.75, 0.25), QUADRANT_COLOURS.topRight)).toBe(true);
      expect(near(await colourAt(data, 0.25, 0.75), QUADRANT_COLOURS.bottomLeft)).toBe(true);
    }
  });

  test('with several photos in one form, each gets its own masks', async () => {
    const masks = [[{ x: 0.5, y: 0.5, w: 0.5, h: 0.5 }], []];
    const res = await upload(request.agent(h.app), eventId, { masks: JSON.stringify(masks) }, [{ data: await cameraPhoto(1) }, { data: await cameraPhoto(1) }], { json: true });
    expect(res.status).toBe(201);
    const [second, first] = await h.database.db('submissions').orderBy('id', 'desc').limit(2);
    const a = (await h.deps.storage.get(`media/${first.storage_key}/display.jpg`))!;
    const b = (await h.deps.storage.get(`media/${second.storage_key}/display.jpg`))!;
    expect(near(await colourAt(a, 0.75, 0.75), [0, 0, 0], 20)).toBe(true);
    expect(near(await colourAt(b, 0.75, 0.75), QUADRANT_COLOURS.bottomRight)).toBe(true);
  });
});

describe('masks that make no sense are refused, and nothing is kept', () => {
  const cases: [string, string, string][] = [
    ['a box reaching past the right edge', JSON.stringify([[{ x: 0.9, y: 0.1, w: 0.2, h: 0.1 }]]), 'A face mask lies outside the picture.'],
    ['a box above the picture', JSON.stringify([[{ x: 0.1, y: -0.1, w: 0.2, h: 0.2 }]]), 'A face mask lies outside the picture.'],
    ['an empty box', JSON.stringify([[{ x: 0.1, y: 0.1, w: 0, h: 0.2 }]]), 'A face mask lies outside the picture.'],
    ['101 boxes on one photo', JSON.stringify([Array.from({ length: 101 }, () => ({ x: 0.1, y: 0.1, w: 0.1, h: 0.1 }))]), 'Too many face masks on one photo (at most 100).'],
    ['a box without its size', JSON.stringify([[{ x: 0.1, y: 0.1 }]]), 'The face masks sent with the photo could not be read.'],
    ['text that is not JSON', 'faces please', 'The face masks sent with the photo could not be read.'],
    ['masks for two photos with one photo sent', JSON.stringify([[], []]), 'The face masks sent with the photo could not be read.'],
  ];
  test.each(cases)('%s', async (_name, masks, message) => {
    const rows = await h.database.db('submissions').count({ n: '*' }).first();
    const files = await storedFiles();
    const res = await upload(request.agent(h.app), eventId, { masks }, [{ data: PHOTO }], { json: true });
    expect(res.status).toBe(400);
    expect(res.body.fields.masks).toContain(message);
    expect(await h.database.db('submissions').count({ n: '*' }).first()).toEqual(rows);
    expect(await storedFiles()).toEqual(files);
  });

  test('without JavaScript the form comes back with the message and what was typed', async () => {
    const res = await upload(request.agent(h.app), eventId, { caption: 'Front row', masks: '[[{"x":2,"y":0,"w":1,"h":1}]]' }, [{ data: PHOTO }]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('A face mask lies outside the picture.');
    expect(res.text).toContain('value="Front row"');
  });
});

describe('a moderator without JavaScript', () => {
  test('ticks squares of the grid; those squares are solid black in every size', async () => {
    const res = await upload(request.agent(h.app), eventId, {}, [{ data: PHOTO }], { json: true });
    expect(res.status).toBe(201);
    const s = await latest();
    const agent = request.agent(h.app);
    await logIn(agent, owner.email, owner.password);
    const page = `/organise/events/${eventId}/moderation`;
    const html = (await agent.get(page)).text;
    expect(html).toContain('name="cells" value="0-0"');
    expect(html).toContain('aria-label="Black out row 8, column 10"');
    // Row 5 (of 8), columns 3 and 6 (of 10): where Curie and Einstein sit.
    // Two ticked boxes of one name, as a browser sends them.
    const sent = await agent.post(`/organise/submissions/${s.id}/mask`).type('form')
      .send(`_csrf=${encodeURIComponent(csrfFrom(html))}&cells=5-2&cells=5-5`);
    expect(sent.status).toBe(303);
    const after = await latest();
    for (const size of ['display', 'thumb']) {
      const data = (await h.deps.storage.get(`media/${after.storage_key}/${size}.jpg`))!;
      expect(await brightestIn(data, { x: 0.2, y: 5 / 8, w: 0.1, h: 1 / 8 })).toBeLessThan(24);
      expect(await brightestIn(data, { x: 0.5, y: 5 / 8, w: 0.1, h: 1 / 8 })).toBeLessThan(24);
      expect(await detailIn(data, { x: 0.4, y: 5 / 8, w: 0.1, h: 1 / 8 })).toBeGreaterThan(15);
    }
    expect((await h.deps.storage.list('media/')).some((f) => f.includes(s.storage_key!))).toBe(false);
  });

  test('a square outside the grid, or no square at all, is refused', async () => {
    const s = await latest();
    const agent = request.agent(h.app);
    await logIn(agent, owner.email, owner.password);
    const page = `/organise/events/${eventId}/moderation`;
    expect((await submitForm(agent, page, `/organise/submissions/${s.id}/mask`, { cells: '8-0' })).status).toBe(400);
    expect((await submitForm(agent, page, `/organise/submissions/${s.id}/mask`, {})).status).toBe(400);
  });
});
