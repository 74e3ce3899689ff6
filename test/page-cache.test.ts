// The day of action: public pages answered from memory, made stale only by what changes them.
// Renders are counted (never timed): a page "kept" is a page not rendered again.
import request from 'supertest';
import crypto from 'node:crypto';
import type { Express } from 'express';
import { createApp } from '../src/app';
import { fixedClock } from '../src/lib/clock';
import { listenForChanges } from '../src/lib/change-feed';
import { CHANGES_CHANNEL } from '../src/services/public-cache';
import { createHarness, csrfFrom, Harness, heardFirst, logIn } from './support/harness';
import { buildCampaign, buildEvent, buildUser } from './support/factories';

const clock = fixedClock('2026-12-01T10:00:00Z');
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ clock });
});
afterAll(async () => {
  await h.close();
});

/** An app of its own (a "process" on the shared database) whose page renders are counted by path. */
function countedApp(deps = h.deps, waitForChanges = true) {
  const app = createApp(deps);
  const renders: string[] = [];
  const render = app.render.bind(app);
  app.render = ((name: string, options: { _locals?: { currentPath?: string } }, callback: () => void) => {
    if (name.startsWith('pages/')) renders.push(options._locals?.currentPath ?? name);
    return render(name, options, callback);
  }) as typeof app.render;
  const client = waitForChanges ? heardFirst(app, deps.changes!) : app;
  return { app, client, renders, renderedSince: (n: number, path: string) => renders.slice(n).filter((p) => p === path).length };
}

async function open(client: Express, path: string, headers: Record<string, string> = {}) {
  const res = await request(client).get(path).set(headers);
  expect(res.status).toBe(200);
  return res;
}

async function organiserWithTwoPickets(title: string) {
  const organiser = await buildUser(h.database.db);
  const campaign = await buildCampaign(h.database.db, organiser, { title: `${title} campaign`, slug: `${title.toLowerCase()}-campaign` });
  const a = await buildEvent(h.database.db, organiser, { campaign_id: campaign.id, title: `${title} in Berlin`, starts_at: new Date('2026-12-10T18:00:00Z') });
  const b = await buildEvent(h.database.db, organiser, { campaign_id: campaign.id, title: `${title} in Paris`, starts_at: new Date('2026-12-10T17:00:00Z') });
  const path = (e: { id: number; title: string }) => `/events/${e.id}-${e.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return { organiser, campaign, a: { ...a, path: path(a) }, b: { ...b, path: path(b) } };
}

test("an organiser's change shows on its public page at once; the other pickets' cached pages are kept", async () => {
  const { client, renders, renderedSince } = countedApp();
  const { organiser, campaign, a, b } = await organiserWithTwoPickets('Vigil');
  for (const path of [a.path, b.path, `/campaigns/${campaign.slug}`]) await open(client, path);
  const before = renders.length;
  for (const path of [a.path, b.path, `/campaigns/${campaign.slug}`]) await open(client, path);
  expect(renders.length).toBe(before); // all three answered from memory

  const agent = request.agent(client);
  await logIn(agent, organiser.email, organiser.password);
  const manage = await agent.get(`/organise/events/${a.id}`);
  expect((await agent.post(`/organise/events/${a.id}/cancel`).type('form').send({ _csrf: csrfFrom(manage.text) })).status).toBe(303);

  const mark = renders.length;
  const changed = await open(client, a.path);
  expect(changed.text).toContain('This event has been cancelled');
  const other = await open(client, b.path);
  expect(other.text).toContain('Vigil in Paris');
  expect(renderedSince(mark, a.path)).toBe(1);
  expect(renderedSince(mark, b.path)).toBe(0); // the other picket's page was not thrown away
  // The campaign page lists the picket, so it is rendered again, once.
  expect((await open(client, `/campaigns/${campaign.slug}`)).text).toContain('Cancelled');
  await open(client, `/campaigns/${campaign.slug}`);
  expect(renderedSince(mark, `/campaigns/${campaign.slug}`)).toBe(1);
});

test('an RSVP keeps the event page; its count catches up within RSVP_COUNT_SECONDS, the form when the picket fills', async () => {
  const { client, renders, renderedSince } = countedApp();
  const organiser = await buildUser(h.database.db);
  const event = await buildEvent(h.database.db, organiser, { title: 'Picket for Maria', capacity: 1, waitlist_enabled: false, starts_at: new Date('2026-12-10T18:00:00Z') });
  const path = `/events/${event.id}-picket-for-maria`;
  const first = await open(client, path);
  expect(first.text).toContain('0 people going');
  expect(first.text).toContain('(as of 10:00 UTC)'); // without JavaScript, the count says when it was taken
  expect(first.text).toContain(`data-counts-url="/events/${event.id}/counts.json"`);

  // The same bytes for every visitor: no per-visitor token, no cookie, so a shared cache may keep it.
  expect(csrfFrom(first.text)).toBe('');
  expect(first.headers['set-cookie']).toBeUndefined();
  expect(first.headers['cache-control']).toMatch(/^public, .*s-maxage=/);
  expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}\.gz"$/);

  // Nadia RSVPs with the form of the cached page, sent from the page itself.
  const rsvp = await request(client).post(`/events/${event.id}/rsvp`).set('Origin', 'http://picket.test').type('form')
    .send({ _csrf: csrfFrom(first.text), name: 'Nadia', email: 'nadia@example.org', role: 'attendee' });
  expect(rsvp.status).toBeLessThan(400);

  const mark = renders.length;
  const again = await open(client, path);
  expect(renderedSince(mark, path)).toBe(0); // the RSVP did not throw the page away
  expect(again.text).toContain('0 people going');
  expect(again.text).toBe(first.text);

  // The page's script asks for the counts: at most RSVP_COUNT_SECONDS old.
  const soon = await request(client).get(`/events/${event.id}/counts.json?lang=en`);
  expect(soon.body).toMatchObject({ going: 0, text: '0 people going · 1 place left', asOf: '2026-12-01T10:00:00.000Z' });
  clock.advance(h.config.RSVP_COUNT_SECONDS * 1000);
  const caughtUp = await request(client).get(`/events/${event.id}/counts.json?lang=fr`);
  expect(caughtUp.body).toMatchObject({ going: 1, spotsLeft: 0, asOf: '2026-12-01T10:00:02.000Z' });
  expect(caughtUp.body.text).toMatch(/^1 personne/);
  expect(caughtUp.headers['cache-control']).toBe(`public, max-age=${h.config.RSVP_COUNT_SECONDS}`);
  expect(JSON.stringify(caughtUp.body)).not.toContain('Nadia');

  // The picket is now full: that changes the form, so the page is rendered again.
  const full = await open(client, path);
  expect(renderedSince(mark, path)).toBe(1);
  expect(full.text).toContain('This picket is full and has no waitlist.');
  expect(full.text).toContain('1 person going');
});

test('a page without per-visitor parts is one set of bytes for everyone: precompressed, strong ETag, 304, s-maxage', async () => {
  const { client, renders } = countedApp();
  const organiser = await buildUser(h.database.db);
  const campaign = await buildCampaign(h.database.db, organiser, { title: 'Free the Five', slug: 'free-the-five-bytes' });
  const path = `/campaigns/${campaign.slug}`;
  const br = await open(client, path, { 'Accept-Encoding': 'br' });
  expect(br.headers['content-encoding']).toBe('br');
  const html = br.text; // supertest decompresses
  expect(html).toContain('Free the Five');
  expect(br.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}\.br"$/);
  expect(br.headers['cache-control']).toBe(`public, max-age=0, s-maxage=${h.config.PROXY_CACHE_SECONDS}, stale-while-revalidate=${h.config.PROXY_STALE_SECONDS}`);
  expect(br.headers.vary).toMatch(/Accept-Encoding.*Accept-Language.*Cookie/);
  expect(br.headers['set-cookie']).toBeUndefined();

  const mark = renders.length;
  const gz = await open(client, path, { 'Accept-Encoding': 'gzip' });
  const plain = await open(client, path, { 'Accept-Encoding': 'identity' });
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(gz.text).toBe(html); // supertest unzips: the same page
  expect(plain.text).toBe(html);
  expect(renders.length).toBe(mark); // compressed once, when rendered

  // Revalidation, also with Node's fetch habit of adding "Cache-Control: no-cache".
  const revalidated = await request(client).get(path).set('Accept-Encoding', 'br').set('If-None-Match', br.headers.etag).set('Cache-Control', 'no-cache');
  expect(revalidated.status).toBe(304);
  await h.database.db('campaigns').where({ id: campaign.id }).update({ title: 'Free the Five now' });
  const stale = await request(client).get(path).set('If-None-Match', br.headers.etag);
  expect(stale.status).toBe(200);
  expect(stale.text).toContain('Free the Five now');
});

test('answers from memory follow the visitor: a copy per language, none for a session or a pending message', async () => {
  const { client, renders } = countedApp();
  const organiser = await buildUser(h.database.db);
  const campaign = await buildCampaign(h.database.db, organiser, { title: 'Free the Five', slug: 'free-the-five-languages' });
  const path = `/campaigns/${campaign.slug}`;
  const rendered = () => renders.filter((p) => p === path).length;
  const english = await open(client, path, { 'Accept-Language': 'en-GB,en;q=0.9' });
  const french = await open(client, path, { 'Accept-Language': 'fr-FR,fr;q=0.9' });
  expect(english.text).toContain('<html lang="en">');
  expect(french.text).toContain('<html lang="fr">');
  expect(rendered()).toBe(2);
  // The language chosen on the site (a cookie) wins over the browser's header, from memory too.
  const chosen = await open(client, path, { 'Accept-Language': 'en-GB', Cookie: 'lang=fr' });
  expect(chosen.text).toBe(french.text);
  expect((await open(client, path, { 'Accept-Language': 'en-GB' })).text).toBe(english.text);
  expect(rendered()).toBe(2);

  // A pending message or a session: the page is rendered for that visitor, never the shared copy.
  // A signed cookie as cookie-parser reads it (cookie-signature's format).
  const sign = (value: string, secret: string) => `${value}.${crypto.createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;
  const message = `s:${sign(JSON.stringify([{ type: 'success', messageKey: 'events.flash.created' }]), h.deps.sessionSecret)}`;
  const flashed = await open(client, path, { 'Accept-Language': 'en-GB', Cookie: `flash=${encodeURIComponent(message)}` });
  expect(flashed.text).toContain('The picket was saved as a draft.');
  expect(rendered()).toBe(3);
  const agent = request.agent(client);
  await logIn(agent, organiser.email, organiser.password);
  const own = await agent.get(path).set('Accept-Language', 'en-GB');
  expect(own.status).toBe(200);
  expect(rendered()).toBe(4);
  expect(own.headers['cache-control'] ?? '').not.toMatch(/public/);
});

test('with two app processes on one database, an edit through one is seen through the other at once', async () => {
  // A second "process": its own app, its own LISTEN connection.
  const changesB = listenForChanges({ connectionString: h.database.url, channel: CHANGES_CHANNEL, logger: h.deps.logger });
  await changesB.ready;
  try {
    const A = countedApp();
    const B = countedApp({ ...h.deps, changes: changesB });
    const { organiser, a, b } = await organiserWithTwoPickets('Picket');
    for (const path of [a.path, b.path]) {
      await open(B.client, path);
      await open(B.client, path);
    }
    const mark = B.renders.length;
    const agent = request.agent(A.client);
    await logIn(agent, organiser.email, organiser.password);
    const manage = await agent.get(`/organise/events/${a.id}`);
    expect((await agent.post(`/organise/events/${a.id}/cancel`).type('form').send({ _csrf: csrfFrom(manage.text) })).status).toBe(303);

    expect((await open(B.client, a.path)).text).toContain('This event has been cancelled');
    expect((await open(B.client, b.path)).text).not.toContain('This event has been cancelled');
    expect(B.renderedSince(mark, a.path)).toBe(1);
    expect(B.renderedSince(mark, b.path)).toBe(0);
  } finally {
    await changesB.close();
  }
});

test('when the listening connection breaks, nothing is served from memory until it is back, then caching resumes', async () => {
  const changes = listenForChanges({ connectionString: h.database.url, channel: CHANGES_CHANNEL, logger: h.deps.logger, minDelayMs: 20 });
  await changes.ready;
  try {
    const { app, renders } = countedApp({ ...h.deps, changes }, false); // no waiting: the connection is cut
    const organiser = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, organiser, { title: 'Picket in Vilnius' });
    const path = `/events/${event.id}-picket-in-vilnius`;
    await changes.sync(); // the new picket's own notification, before the first render
    await open(app, path);
    await open(app, path);
    expect(renders.filter((p) => p === path)).toHaveLength(1);

    let resets = 0;
    const unsubscribe = changes.subscribe(() => {}, () => resets++);
    await h.database.db.raw("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'picket-listener' and datname = current_database() and pid <> pg_backend_pid()");
    // A change made while nobody listens must not be missed.
    await h.database.db('events').where({ id: event.id }).update({ title: 'Picket in Vilnius, moved' });
    // The feed notices the cut (one reset), then listens again (another). Meanwhile nothing comes from memory.
    for (let i = 0; i < 500 && !(resets >= 2 && changes.listening); i++) {
      if (resets >= 1 && !changes.listening) expect((await open(app, path)).text).toContain('Picket in Vilnius, moved');
      await new Promise((r) => setTimeout(r, 10));
    }
    unsubscribe();
    expect(changes.listening).toBe(true);
    await changes.sync();
    const back = await open(app, path);
    expect(back.text).toContain('Picket in Vilnius, moved');
    const count = renders.length;
    await open(app, path);
    expect(renders.length).toBe(count); // cached again
  } finally {
    await changes.close();
  }
});
