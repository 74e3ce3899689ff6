// Two moderators acting on one upload at the same moment (the organiser and an admin) leave it in
// one state, with exactly the files that state needs; a rejected photo is never served.
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { buildEvent, buildUser } from './support/factories';
import { createHarness, csrfFrom, Harness, logIn } from './support/harness';
import { cameraPhoto, upload } from './support/media';

let h: Harness;
let eventId: number;
let organiser: ReturnType<typeof request.agent>;
let admin: ReturnType<typeof request.agent>;
let csrf: { organiser: string; admin: string };

beforeAll(async () => {
  h = await createHarness();
  const owner = await buildUser(h.database.db);
  const adminUser = await buildUser(h.database.db, { role: 'admin' });
  eventId = (await buildEvent(h.database.db, owner, { starts_at: new Date(Date.now() - 26 * 3600_000) })).id;
  organiser = request.agent(h.app);
  admin = request.agent(h.app);
  await logIn(organiser, owner.email, owner.password);
  await logIn(admin, adminUser.email, adminUser.password);
  const queue = `/organise/events/${eventId}/moderation`;
  csrf = { organiser: csrfFrom((await organiser.get(queue)).text), admin: csrfFrom((await admin.get(queue)).text) };
});
afterAll(async () => {
  await h.close();
});

async function sendPhoto(): Promise<{ id: number; storage_key: string }> {
  const res = await upload(request.agent(h.app), eventId, { caption: 'At the gate' }, [{ data: await cameraPhoto(1) }], { json: true });
  expect(res.status).toBe(201);
  return h.database.db('submissions').orderBy('id', 'desc').first();
}

/** Folders of stored media on disk, by key. */
function storedKeys(): string[] {
  const dir = path.join(h.dataDir, 'uploads', 'media');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((k) => fs.readdirSync(path.join(dir, k)).length > 0) : [];
}

const post = (agent: ReturnType<typeof request.agent>, token: string, url: string, fields: Record<string, string> = {}) =>
  agent.post(url).type('form').send({ _csrf: token, ...fields });

describe('two moderators at once', () => {
  test('approve and reject: one decision wins, the other moderator is told, files match the outcome', async () => {
    for (let round = 0; round < 4; round++) {
      const s = await sendPhoto();
      const [approved, rejected] = await Promise.all([
        post(organiser, csrf.organiser, `/organise/submissions/${s.id}/approve`),
        post(admin, csrf.admin, `/organise/submissions/${s.id}/reject`, { reason: 'faces' }),
      ]);
      expect([approved.status, rejected.status].sort()).toEqual([303, 409]);
      const loser = approved.status === 409 ? approved : rejected;
      expect(loser.text).toContain('Another moderator decided on this upload a moment ago');
      const row = await h.database.db('submissions').where({ id: s.id }).first();
      if (row.status === 'approved') {
        expect(row.storage_key).toBe(s.storage_key);
        expect(storedKeys()).toContain(s.storage_key);
        expect((await request(h.app).get(`/media/${s.storage_key}/display`)).status).toBe(200);
      } else {
        expect(row.status).toBe('rejected');
        expect(row.storage_key).toBeNull();
        expect(storedKeys()).not.toContain(s.storage_key);
        expect((await request(h.app).get(`/media/${s.storage_key}/display`)).status).toBe(404);
        expect((await organiser.get(`/organise/media/${s.storage_key}/display`)).status).toBe(404);
      }
    }
  });

  test('reject and blur: a rejected photo keeps no file, blurred or not, and nothing is served', async () => {
    for (let round = 0; round < 3; round++) {
      const s = await sendPhoto();
      const [rejected, blurred] = await Promise.all([
        post(organiser, csrf.organiser, `/organise/submissions/${s.id}/reject`, { reason: '' }),
        post(admin, csrf.admin, `/organise/submissions/${s.id}/mask`, { regions: JSON.stringify([{ x: 0.1, y: 0.1, w: 0.3, h: 0.3 }]) }),
      ]);
      expect(rejected.status).toBe(303);
      expect([303, 409]).toContain(blurred.status); // 409: the photo was rejected (and its files removed) first
      const row = await h.database.db('submissions').where({ id: s.id }).first();
      expect(row).toMatchObject({ status: 'rejected', storage_key: null });
      // Every folder left on disk belongs to a row that still points at it.
      const referenced = new Set(await h.database.db('submissions').whereNotNull('storage_key').pluck('storage_key'));
      expect(storedKeys().filter((k) => !referenced.has(k))).toEqual([]);
    }
  });

  test('approve and blur: the photo ends approved with the blurred files only', async () => {
    const s = await sendPhoto();
    const [approved, blurred] = await Promise.all([
      post(organiser, csrf.organiser, `/organise/submissions/${s.id}/approve`),
      post(admin, csrf.admin, `/organise/submissions/${s.id}/mask`, { regions: JSON.stringify([{ x: 0.5, y: 0.5, w: 0.2, h: 0.2 }]) }),
    ]);
    expect(approved.status).toBe(303);
    expect(blurred.status).toBe(303);
    const row = await h.database.db('submissions').where({ id: s.id }).first();
    expect(row.status).toBe('approved');
    expect(row.storage_key).not.toBe(s.storage_key);
    expect(storedKeys()).toContain(row.storage_key);
    expect(storedKeys()).not.toContain(s.storage_key);
    expect((await request(h.app).get(`/media/${row.storage_key}/display`)).status).toBe(200);
    expect((await request(h.app).get(`/media/${s.storage_key}/display`)).status).toBe(404);
  });
});
