// Files and rows go together: a failure between writing the files and inserting the row leaves
// nothing behind, and the daily cleanup removes what a crash left. Portraits and letter
// templates use the same pipeline and permissions.
import { EventEmitter } from 'node:events';
import request from 'supertest';
import { fixedClock } from '../src/lib/clock';
import { runDueJobs } from '../src/jobs';
import { cleanupStrayFiles } from '../src/services/media-files';
import { fewAtATime } from '../src/lib/upload-slots';
import { createHarness, csrfFrom, Harness, logIn, submitForm } from './support/harness';
import { buildCampaign, buildEvent, buildUser } from './support/factories';
import { cameraPhoto, isUpright, upload } from './support/media';
import exifr from 'exifr';

let h: Harness;
const clock = fixedClock(new Date());
let owner: Awaited<ReturnType<typeof buildUser>>;
let eventId: number;

beforeAll(async () => {
  h = await createHarness({ clock });
  owner = await buildUser(h.database.db);
  eventId = (await buildEvent(h.database.db, owner)).id;
});
afterAll(async () => {
  await h.close();
});

describe('crash safety', () => {
  test('an error after the files are written but before the row is inserted leaves no file, row or claim', async () => {
    // The database refuses the insert: exactly the moment between file write and row insert.
    await h.database.db.raw(`
      create function refuse_submission() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$;
      create trigger refuse_submission before insert on submissions for each row execute function refuse_submission();
    `);
    const written: string[] = [];
    const put = h.deps.storage.put;
    h.deps.storage.put = async (key, data) => {
      written.push(key);
      return put(key, data);
    };
    try {
      const res = await upload(request.agent(h.app), eventId, {}, [{ data: await cameraPhoto(6) }, { data: await cameraPhoto(1) }], { json: true });
      expect(res.status).toBe(500);
    } finally {
      h.deps.storage.put = put;
      await h.database.db.raw('drop trigger refuse_submission on submissions; drop function refuse_submission();');
    }
    expect(written.length).toBe(4); // the files really were written first
    expect(await h.deps.storage.list()).toEqual([]);
    expect(Number((await h.database.db('submissions').count({ n: '*' }).first())?.n)).toBe(0);
    expect(Number((await h.database.db('upload_claims').count({ n: '*' }).first())?.n)).toBe(0);
  });

  test('files left by a crash (claimed, never saved) are removed by the daily job; uploads in progress are kept', async () => {
    const res = await upload(request.agent(h.app), eventId, {}, [{ data: await cameraPhoto(1) }], { json: true });
    expect(res.status).toBe(201);
    const kept = await h.deps.storage.list('media/');
    // A process that died after writing: a claim and files, no row.
    await h.database.db('upload_claims').insert({ storage_key: 'a'.repeat(32), created_at: clock.now() });
    await h.deps.storage.put(`media/${'a'.repeat(32)}/display.jpg`, Buffer.from('x'));
    // And a file with neither claim nor row.
    await h.deps.storage.put(`media/${'b'.repeat(32)}/thumb.jpg`, Buffer.from('y'));

    expect(await cleanupStrayFiles(h.deps)).toBe(1); // the claimed one may still be in progress
    expect(await h.deps.storage.list('media/')).toEqual([...kept, `media/${'a'.repeat(32)}/display.jpg`].sort());

    clock.advance(2 * 3600_000);
    await h.database.db.raw("select graphile_worker.add_job('media_cleanup')");
    await runDueJobs({ ...h.jobDeps, clock });
    expect(await h.deps.storage.list('media/')).toEqual(kept);
    expect(Number((await h.database.db('upload_claims').count({ n: '*' }).first())?.n)).toBe(0);
  });
});

describe('prisoner portraits', () => {
  test('the campaign’s organiser sets a portrait: cleaned, upright and public; others cannot', async () => {
    const campaign = await buildCampaign(h.database.db, owner);
    const [prisoner] = await h.database.db('prisoners').insert({ campaign_id: campaign.id, name: 'Ales B.' }).returning('*');
    const agent = request.agent(h.app);
    await logIn(agent, owner.email, owner.password);
    const page = await agent.get(`/organise/prisoners/${prisoner.id}/portrait`);
    expect(page.status).toBe(200);
    const res = await agent
      .post(`/organise/prisoners/${prisoner.id}/portrait`)
      .field('_csrf', csrfFrom(page.text))
      .attach('portrait', await cameraPhoto(8), { filename: 'ales.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(303);
    const { portrait_key: key } = await h.database.db('prisoners').where({ id: prisoner.id }).first();
    expect(key).toMatch(/^[a-f0-9]{32}$/);
    const served = await request(h.app).get(`/media/portraits/${key}/display`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(served.status).toBe(200);
    expect(await isUpright(served.body)).toBe(true);
    expect(await exifr.parse(served.body, { tiff: true, gps: true, xmp: true }).catch(() => undefined)).toBeUndefined();

    // A new portrait replaces the old one, whose files are deleted.
    const again = await agent.get(`/organise/prisoners/${prisoner.id}/portrait`);
    await agent.post(`/organise/prisoners/${prisoner.id}/portrait`).field('_csrf', csrfFrom(again.text))
      .attach('portrait', await cameraPhoto(1), { filename: 'b.jpg', contentType: 'image/jpeg' });
    expect((await request(h.app).get(`/media/portraits/${key}/display`)).status).toBe(404);

    const stranger = await buildUser(h.database.db);
    const strangerAgent = request.agent(h.app);
    await logIn(strangerAgent, stranger.email, stranger.password);
    expect((await strangerAgent.get(`/organise/prisoners/${prisoner.id}/portrait`)).status).toBe(403);
    const forbidden = await strangerAgent.post(`/organise/prisoners/${prisoner.id}/portrait`).field('_csrf', csrfFrom((await strangerAgent.get('/organise/moderation')).text))
      .attach('portrait', await cameraPhoto(1), { filename: 'c.jpg', contentType: 'image/jpeg' });
    expect(forbidden.status).toBe(403);
  });

  test('an HTML file as a portrait is refused with a message', async () => {
    const campaign = await buildCampaign(h.database.db, owner);
    const [prisoner] = await h.database.db('prisoners').insert({ campaign_id: campaign.id, name: 'Maria K.' }).returning('*');
    const agent = request.agent(h.app);
    await logIn(agent, owner.email, owner.password);
    const page = await agent.get(`/organise/prisoners/${prisoner.id}/portrait`);
    const res = await agent.post(`/organise/prisoners/${prisoner.id}/portrait`).field('_csrf', csrfFrom(page.text))
      .attach('portrait', Buffer.from('<html><script>alert(1)</script></html>'), { filename: 'x.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('This file type is not accepted');
    expect((await h.database.db('prisoners').where({ id: prisoner.id }).first()).portrait_key).toBeNull();
  });
});

describe('letter templates', () => {
  test('the campaign organiser writes a letter per language; the event page links it and anyone can print it', async () => {
    const campaign = await buildCampaign(h.database.db, owner, { title: 'Free the Picket Five' });
    const event = await buildEvent(h.database.db, owner, { campaign_id: campaign.id });
    const agent = request.agent(h.app);
    await logIn(agent, owner.email, owner.password);
    const page = `/organise/campaigns/${campaign.id}/letters`;
    const invalid = await submitForm(agent, page, page, { language: 'French!', title: '', body: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('Enter a language code');
    const saved = await submitForm(agent, page, page, { language: 'fr', title: 'Lettre à l’ambassadeur', body: 'Monsieur l’Ambassadeur,\n\nLibérez-les.' });
    expect(saved.status).toBe(303);
    const template = await h.database.db('letter_templates').where({ campaign_id: campaign.id }).first();

    const eventPage = await request(h.app).get(`/events/${event.id}`).redirects(1);
    expect(eventPage.text).toContain(`/letters/${template.id}`);
    const printable = await request(h.app).get(`/letters/${template.id}`);
    expect(printable.status).toBe(200);
    expect(printable.text).toContain('Lettre à l’ambassadeur');
    expect(printable.text).toContain('<p>Libérez-les.</p>');
    expect(printable.text).toContain('/public/css/media.css');

    const stranger = await buildUser(h.database.db);
    const strangerAgent = request.agent(h.app);
    await logIn(strangerAgent, stranger.email, stranger.password);
    expect((await strangerAgent.get(page)).status).toBe(403);
    expect((await submitForm(strangerAgent, '/organise/moderation', `/organise/letters/${template.id}/delete`, {})).status).toBe(403);
    expect((await submitForm(agent, page, `/organise/letters/${template.id}/delete`, {})).status).toBe(303);
    expect((await request(h.app).get(`/letters/${template.id}`)).status).toBe(404);
  });
});

describe('upload slots', () => {
  const fake = () => Object.assign(new EventEmitter(), { destroyed: false });

  test('only a few uploads are read at once; a slot frees when one ends, and clients who left are skipped', () => {
    const limit = fewAtATime(2);
    const started: number[] = [];
    const pairs = Array.from({ length: 5 }, () => ({ req: fake(), res: fake() }));
    pairs.forEach((p, i) => limit(p.req as never, p.res as never, () => started.push(i)));
    expect(started).toEqual([0, 1]);
    pairs[2].req.destroyed = true; // gave up while waiting
    pairs[0].res.emit('finish');
    pairs[0].res.emit('close'); // both events: released once
    expect(started).toEqual([0, 1, 3]);
    pairs[1].res.emit('close');
    expect(started).toEqual([0, 1, 3, 4]);
  });
});
