// A phone that queued an RSVP or an upload while offline sends it again until it hears back, each
// time with the same idempotency key: the server answers every time as it did the first time,
// and there is one RSVP, one e-mail, one set of photos. Real PostgreSQL, real SMTP.
import request from 'supertest';
import { createHarness, Harness } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { cameraPhoto, upload } from './support/media';
import { runDueJobs } from '../src/jobs';

let h: Harness;
let owner: { id: number };
beforeAll(async () => {
  h = await createHarness({ env: { RSVP_RATE_LIMIT: '10000', UPLOAD_RATE_LIMIT: '10000' } });
  owner = await buildUser(h.database.db);
});
afterAll(() => h.close());

const KEY = () => `key-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;

/** What a phone's queue sends: the form as fields, asking for JSON, with the key as a header. */
function queuedRsvp(eventId: number, key: string, fields: Record<string, string>) {
  return request(h.app).post(`/events/${eventId}/rsvp`).set('Accept', 'application/json').set('Idempotency-Key', key).type('form').send(fields);
}

async function mailTo(address: string): Promise<number> {
  await h.runJobs();
  return h.smtp.to(address).length;
}

describe('an RSVP sent again with the same idempotency key', () => {
  test('answers as the first time, makes one RSVP and sends one e-mail', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Picket in Riga' });
    const key = KEY();
    const fields = { name: 'Ilze', email: 'ilze@picket.test', role: 'attendee', note: '' };
    const first = await queuedRsvp(event.id, key, fields);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ ok: true, status: 'going', message: 'You are going. See you there!', next: `/events/${event.id}/rsvp/done`, manage: false });
    expect(first.headers['cache-control']).toBe('no-store');

    // Twice more, as a phone whose answer was lost would: the same answer, nothing new.
    for (let i = 0; i < 2; i++) {
      const again = await queuedRsvp(event.id, key, fields);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
    }
    expect(await h.database.db('rsvps').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await mailTo('ilze@picket.test')).toBe(1);
    // Without a key, the same address is told the same and gets its link again ("already"):
    // that is the e-mail the key saves.
    const key2 = await h.database.db('idempotency_keys').where({ key }).first();
    expect(key2.scope).toBe(`rsvp:${event.id}`);
    expect(JSON.stringify(key2)).not.toContain('ilze');
    expect(key2.expires_at.getTime() - Date.now()).toBeGreaterThan(6 * 86_400_000);
  });

  test('two copies arriving at once still make one RSVP and one e-mail', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Vigil in Tallinn', headcount_only_allowed: true });
    const key = KEY();
    const fields = { name: 'Kaja', email: 'kaja@picket.test', role: 'steward', note: 'with a banner' };
    const answers = await Promise.all([1, 2, 3].map(() => queuedRsvp(event.id, key, fields)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await h.database.db('rsvps').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await mailTo('kaja@picket.test')).toBe(1);

    // Head-count only: the answer is the person's own manage link, the same every time.
    const headKey = KEY();
    const counted = await queuedRsvp(event.id, headKey, { name: 'Anon', email: '', role: 'attendee', note: '' });
    expect(counted.status).toBe(201);
    expect(counted.body.next).toMatch(/^\/rsvp\/[A-Za-z0-9_-]{43}$/);
    expect(counted.body.manage).toBe(true);
    const again = await queuedRsvp(event.id, headKey, { name: 'Anon', email: '', role: 'attendee', note: '' });
    expect(again.body).toEqual(counted.body);
    expect(await h.database.db('rsvps').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 2 });
    // The key keeps ids, never the token.
    const kept = await h.database.db('idempotency_keys').where({ key: headKey }).first();
    expect(JSON.stringify(kept)).not.toContain(counted.body.next.split('/').pop());
  });

  test('the same key with a different RSVP is refused with a clear message, and changes nothing', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Picket in Vilnius' });
    const key = KEY();
    expect((await queuedRsvp(event.id, key, { name: 'Rūta', email: 'ruta@picket.test', role: 'attendee' })).status).toBe(201);
    const other = await queuedRsvp(event.id, key, { name: 'Someone else', email: 'else@picket.test', role: 'attendee' });
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('This action was already sent with different content. Reload the page and send it again.');
    // The same key for another picket is a different request too.
    const elsewhere = await buildEvent(h.database.db, owner, { title: 'Picket in Kaunas' });
    expect((await queuedRsvp(elsewhere.id, key, { name: 'Rūta', email: 'ruta@picket.test', role: 'attendee' })).status).toBe(422);
    expect(await h.database.db('rsvps').whereIn('event_id', [event.id, elsewhere.id]).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect(await mailTo('else@picket.test')).toBe(0);
    // A page (no JSON asked) gets a page saying so.
    const page = await request(h.app).post(`/events/${event.id}/rsvp`).type('form').send({ name: 'X', email: 'x@picket.test', role: 'attendee', idempotency_key: key });
    expect(page.status).toBe(422);
    expect(page.text).toContain('This action was already sent with different content.');
  });

  test('a refused RSVP keeps nothing: the same key works once the form is right; a malformed key is a field error', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Picket in Minsk solidarity' });
    const key = KEY();
    const bad = await queuedRsvp(event.id, key, { name: '', email: 'nope', role: 'attendee' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fields).sort()).toEqual(['email', 'name']);
    expect(await h.database.db('idempotency_keys').where({ key }).first()).toBeUndefined();
    expect((await queuedRsvp(event.id, key, { name: 'Ales', email: 'ales@picket.test', role: 'attendee' })).status).toBe(201);
    const malformed = await queuedRsvp(event.id, 'short', { name: 'Ales', email: 'ales2@picket.test', role: 'attendee' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.fields).toHaveProperty('idempotency_key');
  });

  test('the form of a page (hidden field, no JSON) gets the same redirect on a double submit', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Picket in Warsaw' });
    const key = KEY();
    const send = () => request(h.app).post(`/events/${event.id}/rsvp`).type('form').send({ name: 'Ola', email: 'ola@picket.test', role: 'attendee', idempotency_key: key });
    const [a, b] = [await send(), await send()];
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(b.headers.location).toBe(a.headers.location);
    expect(await mailTo('ola@picket.test')).toBe(1);
  });

  test('expired keys are cleaned up by the recurring job', async () => {
    await h.database.db('idempotency_keys').insert({ key: 'expired-key-0123456789', scope: 'rsvp:1', fingerprint: 'x', result: {}, expires_at: new Date(Date.now() - 1000) });
    await h.database.db.raw("select graphile_worker.add_job('idempotency_cleanup')");
    await runDueJobs(h.jobDeps);
    expect(await h.database.db('idempotency_keys').where({ key: 'expired-key-0123456789' }).first()).toBeUndefined();
  });
});

describe('an upload sent again with the same idempotency key', () => {
  test('stores the photos once and answers as the first time; another body with the key is refused', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Picket that happened', starts_at: new Date(Date.now() - 3 * 3600_000), ends_at: new Date(Date.now() - 3600_000) });
    const key = KEY();
    const photo = await cameraPhoto(1);
    const send = (caption: string) => upload(request.agent(h.app), event.id, { caption, idempotency_key: key }, [{ data: photo }], { json: true });
    const first = await send('At the gate');
    expect(first.status).toBe(201);
    const answers = await Promise.all([send('At the gate'), send('At the gate')]);
    expect(answers.map((a) => [a.status, a.body])).toEqual([[201, first.body], [201, first.body]]);
    expect(await h.database.db('submissions').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
    const changed = await send('Another caption');
    expect(changed.status).toBe(422);
    expect(changed.body.error).toMatch(/already sent with different content/);
    expect(await h.database.db('submissions').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
    // Nothing of a replayed or refused upload stays in storage: one photo's files only.
    const keys = new Set((await h.deps.storage.list('media/')).map((f) => f.split('/')[1]));
    const rows = new Set((await h.database.db('submissions').whereNotNull('storage_key').select('storage_key')).map((r) => r.storage_key));
    expect([...keys].filter((k) => !rows.has(k))).toEqual([]);
  });

  test('a typed letter (no file) sent twice with its key is stored once', async () => {
    const event = await buildEvent(h.database.db, owner, { title: 'Picket with a letter', starts_at: new Date(Date.now() - 3 * 3600_000), ends_at: new Date(Date.now() - 3600_000) });
    const key = KEY();
    const send = () => upload(request.agent(h.app), event.id, { kind: 'letter', letter_text: 'Free them.', idempotency_key: key }, [], { json: true });
    const [a, b] = [await send(), await send()];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    expect(await h.database.db('submissions').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });
});
