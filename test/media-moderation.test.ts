// Nothing a participant sends is public until the event's organiser (or an admin) approves it;
// the organiser can mask faces first, and what is refused is gone.
import request from 'supertest';
import { createHarness, Harness, logIn, submitForm, csrfFrom } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { cameraPhoto, detailedPicture, detailIn, upload } from './support/media';
import { handinSummary } from '../src/queries/submissions';
import type { SubmissionRow } from '../src/db/tables';

let h: Harness;
let owner: Awaited<ReturnType<typeof buildUser>>;
let other: Awaited<ReturnType<typeof buildUser>>;
let admin: Awaited<ReturnType<typeof buildUser>>;
let eventId: number;

beforeAll(async () => {
  h = await createHarness();
  owner = await buildUser(h.database.db, { name: 'Olga Owner' });
  other = await buildUser(h.database.db, { name: 'Oscar Other' });
  admin = await buildUser(h.database.db, { role: 'admin' });
  const start = new Date(Date.now() - 26 * 3600_000);
  eventId = (await buildEvent(h.database.db, owner, { title: 'Vigil at the embassy', starts_at: start, attendance_count: 42 })).id;
});
afterAll(async () => {
  await h.close();
});

async function sendPhoto(caption = 'At the gate', data?: Buffer): Promise<SubmissionRow> {
  const res = await upload(request.agent(h.app), eventId, { caption }, [{ data: data ?? (await cameraPhoto(1)) }], { json: true });
  expect(res.status).toBe(201);
  return h.database.db('submissions').orderBy('id', 'desc').first();
}

async function agentFor(user: { email: string; password: string }) {
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return agent;
}

const moderationPage = `/organise/events/`;

describe('before moderation', () => {
  test('a pending photo is 404 to the public, even at its exact address, but the organiser sees a preview', async () => {
    const s = await sendPhoto();
    for (const size of ['display', 'thumb', 'letter']) {
      expect((await request(h.app).get(`/media/${s.storage_key}/${size}`)).status).toBe(404);
    }
    expect((await request(h.app).get(`/organise/media/${s.storage_key}/display`)).status).toBe(404);
    const otherAgent = await agentFor(other);
    expect((await otherAgent.get(`/organise/media/${s.storage_key}/display`)).status).toBe(404);

    const agent = await agentFor(owner);
    const page = await agent.get(`${moderationPage}${eventId}/moderation`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('At the gate');
    expect(page.text).toContain(`/organise/media/${s.storage_key}/display`);
    const preview = await agent.get(`/organise/media/${s.storage_key}/display`);
    expect(preview.status).toBe(200);
    expect(preview.headers['cache-control']).toBe('private, no-store');
    const event = await request(h.app).get(`/events/${eventId}`).redirects(1);
    expect(event.text).not.toContain(s.storage_key!);
  });

  test('only the event’s organiser or an admin can moderate', async () => {
    const s = await sendPhoto('Not yours');
    expect((await request(h.app).get(`${moderationPage}${eventId}/moderation`)).status).toBe(303); // to the login page
    const otherAgent = await agentFor(other);
    expect((await otherAgent.get(`${moderationPage}${eventId}/moderation`)).status).toBe(403);
    const ownPage = await otherAgent.get('/organise/moderation');
    expect(ownPage.text).not.toContain('Not yours');
    const res = await submitForm(otherAgent, '/organise/moderation', `/organise/submissions/${s.id}/approve`, {});
    expect(res.status).toBe(403);
    expect((await h.database.db('submissions').where({ id: s.id }).first()).status).toBe('pending');

    const adminAgent = await agentFor(admin);
    const all = await adminAgent.get('/organise/moderation');
    expect(all.text).toContain('Not yours');
    expect(all.text).toContain('Vigil at the embassy');
    const approved = await submitForm(adminAgent, '/organise/moderation', `/organise/submissions/${s.id}/approve`, { return: '/organise/moderation' });
    expect(approved.status).toBe(303);
    expect(approved.headers.location).toBe('/organise/moderation');
    expect((await h.database.db('submissions').where({ id: s.id }).first()).status).toBe('approved');
  });
});

describe('approving and rejecting', () => {
  test('approved photos appear in the report-back gallery with the attendance; rejected ones are deleted and stay 404', async () => {
    const good = await sendPhoto('Our banner');
    const bad = await sendPhoto('Shows a face');
    const agent = await agentFor(owner);
    const page = `${moderationPage}${eventId}/moderation`;
    expect((await submitForm(agent, page, `/organise/submissions/${good.id}/approve`, {})).status).toBe(303);
    expect((await submitForm(agent, page, `/organise/submissions/${bad.id}/reject`, { reason: 'A face is visible' })).status).toBe(303);

    expect((await request(h.app).get(`/media/${good.storage_key}/thumb`)).status).toBe(200);
    expect((await request(h.app).get(`/media/${bad.storage_key}/thumb`)).status).toBe(404);
    expect((await request(h.app).get(`/media/${bad.storage_key}/display`)).status).toBe(404);
    const rejected = await h.database.db('submissions').where({ id: bad.id }).first();
    expect(rejected).toMatchObject({ status: 'rejected', rejection_reason: 'A face is visible', storage_key: null });
    expect((await h.deps.storage.list('media/')).some((f) => f.includes(bad.storage_key!))).toBe(false);

    const event = await request(h.app).get(`/events/${eventId}`).redirects(1);
    expect(event.status).toBe(200);
    expect(event.text).toContain('After the picket');
    expect(event.text).toContain('42 people came.');
    expect(event.text).toContain(`/media/${good.storage_key}/thumb`);
    expect(event.text).toContain('Our banner');
    expect(event.text).not.toContain('Shows a face');
    expect(event.text).not.toContain('A face is visible');
  });
});

describe('masking faces', () => {
  test('the marked area is masked solid in every stored size, irreversibly, before the photo is published', async () => {
    const s = await sendPhoto('Crowd', await detailedPicture());
    const region = { x: 0.1, y: 0.2, w: 0.3, h: 0.4 };
    const before = await h.deps.storage.get(`media/${s.storage_key}/display.jpg`);
    const beforeThumb = await h.deps.storage.get(`media/${s.storage_key}/thumb.jpg`);
    expect(await detailIn(before!, region)).toBeGreaterThan(60);
    expect(await detailIn(beforeThumb!, region)).toBeGreaterThan(40);

    const agent = await agentFor(owner);
    const page = `${moderationPage}${eventId}/moderation`;
    const res = await submitForm(agent, page, `/organise/submissions/${s.id}/mask`, { regions: JSON.stringify([region]) });
    expect(res.status).toBe(303);
    const after = await h.database.db('submissions').where({ id: s.id }).first();
    expect(after.storage_key).not.toBe(s.storage_key);
    // The unmasked files are gone, not kept aside.
    expect((await h.deps.storage.list('media/')).some((f) => f.includes(s.storage_key!))).toBe(false);

    for (const size of ['display', 'thumb']) {
      const file = await h.deps.storage.get(`media/${after.storage_key}/${size}.jpg`);
      const inside = { x: region.x + 0.03, y: region.y + 0.03, w: region.w - 0.06, h: region.h - 0.06 };
      expect(await detailIn(file!, inside)).toBeLessThan(25);
      expect(await detailIn(file!, { x: 0.6, y: 0.6, w: 0.3, h: 0.3 })).toBeGreaterThan(40); // the rest is untouched
    }
    expect((await submitForm(agent, page, `/organise/submissions/${s.id}/approve`, {})).status).toBe(303);
    expect((await request(h.app).get(`/media/${after.storage_key}/display`)).status).toBe(200);
    expect((await request(h.app).get(`/media/${s.storage_key}/display`)).status).toBe(404);
  });

  test('nonsense regions are refused', async () => {
    const s = await sendPhoto('Bad regions');
    const agent = await agentFor(owner);
    const res = await submitForm(agent, `${moderationPage}${eventId}/moderation`, `/organise/submissions/${s.id}/mask`, { regions: '[{"x":2}]' });
    expect(res.status).toBe(400);
  });
});

describe('letters and their hand-in', () => {
  test('the organiser records that a letter was handed in; the event page and the board summary show it', async () => {
    const sent = await upload(request.agent(h.app), eventId, { kind: 'letter', letter_text: 'Release the Picket Five.', caption: 'Letter to the ambassador' }, [], { json: true });
    expect(sent.status).toBe(201);
    const letter: SubmissionRow = await h.database.db('submissions').orderBy('id', 'desc').first();
    const agent = await agentFor(owner);
    const page = `${moderationPage}${eventId}/moderation`;
    expect((await submitForm(agent, page, `/organise/submissions/${letter.id}/handin`, { handin_status: 'delivered', handin_to: 'the consular section' })).status).toBe(303);
    expect((await submitForm(agent, page, `/organise/submissions/${letter.id}/approve`, {})).status).toBe(303);

    const summary = await handinSummary(h.database.db, [eventId]);
    expect(summary.get(eventId)).toMatchObject({ delivered: 1, total: 1 });

    const event = await request(h.app).get(`/events/${eventId}`).redirects(1);
    expect(event.text).toContain('1 letter was handed in.');
    expect(event.text).toContain('Release the Picket Five.');
    expect(event.text).toContain('to the consular section');

    const otherAgent = await agentFor(other);
    expect((await submitForm(otherAgent, '/organise/moderation', `/organise/submissions/${letter.id}/handin`, { handin_status: 'refused', handin_to: '' })).status).toBe(403);
  });
});

describe('forged uploads', () => {
  test('an upload sent from another site is refused and stores nothing', async () => {
    const before = await h.deps.storage.list();
    const pending = await h.database.db('submissions').count({ n: '*' }).first();
    for (const headers of [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, { Origin: 'null' }]) {
      const res = await request(h.app)
        .post(`/events/${eventId}/submissions`)
        .set(headers)
        .field('kind', 'photo')
        .field('consent', 'on')
        .attach('files', await cameraPhoto(1), { filename: 'a.jpg', contentType: 'image/jpeg' });
      expect(res.status).toBe(403);
    }
    expect(await h.deps.storage.list()).toEqual(before);
    expect(await h.database.db('submissions').count({ n: '*' }).first()).toEqual(pending);
  });

  test('an upload from the event\'s own page is accepted without any token', async () => {
    const page = await request(h.app).get(`/events/${eventId}/upload`);
    expect(csrfFrom(page.text)).toBe('');
    const res = await request(h.app)
      .post(`/events/${eventId}/submissions`)
      .set({ Origin: 'http://picket.test', 'Sec-Fetch-Site': 'same-origin' })
      .field('kind', 'photo')
      .field('consent', 'on')
      .attach('files', await cameraPhoto(1), { filename: 'a.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(303);
  });

  test('uploads to a draft or unknown event are 404', async () => {
    const draft = await buildEvent(h.database.db, owner, { status: 'draft' });
    expect((await request(h.app).get(`/events/${draft.id}/upload`)).status).toBe(404);
    expect((await request(h.app).get('/events/999999/upload')).status).toBe(404);
  });
});
