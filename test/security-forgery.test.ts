// Forged requests, sent as an attacker would: a raw multipart form with no token against every
// state-changing route the app has registered (the list is read from the app's router, so a route
// added tomorrow is attacked too), and forms posted from another site's pages.
import request from 'supertest';
import { routeTable } from '../src/lib/route-table';
import { createHarness, csrfFrom, Harness, logIn, submitForm } from './support/harness';
import { buildCampaign, buildDemand, buildEvent, buildRsvp, buildUser } from './support/factories';
import { cameraPhoto, upload } from './support/media';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** A fingerprint of everything stored (sessions and rate-limit counters aside) and of every queued job. */
async function everything(): Promise<Record<string, string>> {
  const { rows: tables } = await h.database.db.raw<{ rows: { name: string }[] }>(
    `select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not in ('session', 'rate_limits')
      order by table_name`,
  );
  const print: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await h.database.db.raw(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from "${name}" t`);
    print[name] = `${rows[0].n}:${rows[0].sum}`;
  }
  const { rows: jobs } = await h.database.db.raw('select count(*)::int as n from graphile_worker.jobs');
  print['graphile_worker.jobs'] = String(jobs[0].n);
  print.files = (await h.deps.storage.list()).join(',');
  return print;
}

/** A multipart body written by hand, as a page on another site would send it: fields and a photo, no token. */
async function rawMultipart(): Promise<{ type: string; body: Buffer }> {
  const boundary = '----forged' + Date.now();
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const fields = {
    name: 'Forged', email: 'victim@example.org', role: 'speaker', note: 'forged', kind: 'photo', consent: 'on',
    title: 'Forged', body: 'forged', subject: 'forged', reason: 'forged', regions: '[{"x":0,"y":0,"w":1,"h":1}]',
    handin_status: 'delivered', text: 'forged', status: 'archived', lang: 'ru', password: 'forged password 1', confirm: 'forged password 1',
  };
  const head = Buffer.from(Object.entries(fields).map(([k, v]) => field(k, v)).join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([head, await cameraPhoto(1), tail]) };
}

describe('a multipart form without a token', () => {
  test('is refused by every state-changing route, logged in or not, and changes nothing', async () => {
    const admin = await buildUser(h.database.db, { role: 'admin' });
    const other = await buildUser(h.database.db);
    const campaign = await buildCampaign(h.database.db, admin);
    const [prisoner] = await h.database.db('prisoners')
      .insert({ campaign_id: campaign.id, name: 'Maria', story: '', status: 'detained' }).returning('*');
    const demand = await buildDemand(h.database.db, campaign, { prisoner_id: prisoner.id });
    const event = await buildEvent(h.database.db, admin, { campaign_id: campaign.id });
    const [venue] = await h.database.db('venues').insert({
      name: 'Embassy', city: 'Berlin', country: 'DE', represents: 'BY', latitude: 52.5, longitude: 13.4, timezone: 'Europe/Berlin',
    }).returning('*');
    const rsvp = await buildRsvp(h.database.db, event, { email: 'lev@picket.test' });
    const photo = await upload(request.agent(h.app), event.id, {}, [{ data: await cameraPhoto(1) }], { json: true });
    expect(photo.status).toBe(201);
    const submission = await h.database.db('submissions').where({ event_id: event.id }).first();
    const agent = request.agent(h.app);
    await logIn(agent, admin.email, admin.password);
    const template = await submitForm(agent, `/organise/campaigns/${campaign.id}/letters`, `/organise/campaigns/${campaign.id}/letters`, {
      language: 'en', title: 'To the ambassador', body: 'Release them.',
    });
    expect(template.status).toBe(303);
    const letter = await h.database.db('letter_templates').first();
    const [host] = await h.database.db('hosts').insert({ campaign_id: campaign.id, email: 'host@picket.test', name: 'Host', verified_at: new Date() }).returning('*');
    const [proposal] = await h.database.db('proposals').insert({
      campaign_id: campaign.id, host_id: host.id, status: 'proposed', title: 'Proposed', city: 'Riga', country: 'LV', latitude: 56.9, longitude: 24.1,
      timezone: 'Europe/Riga', starts_at: new Date(Date.now() + 86400_000), ends_at: new Date(Date.now() + 90000_000),
    }).returning('*');

    // Each parameter filled with something real, so a route that ran would change something.
    const byParent: Record<string, string> = {
      events: String(event.id), campaigns: String(campaign.id), submissions: String(submission.id), letters: String(letter.id),
      users: String(other.id), venues: String(venue.id), rsvps: String(rsvp.id), prisoners: String(prisoner.id), rsvp: rsvp.token, reset: 'x'.repeat(43), invite: 'x'.repeat(43),
      proposals: String(proposal.id), hosts: String(host.id), calls: String(campaign.id), verify: 'x'.repeat(43), link: 'x'.repeat(43),
    };
    const fill = (path: string) => path.replace(/:(\w+)/g, (_m, name: string, offset: number) => {
      if (name === 'demandId') return String(demand.id);
      if (name === 'prisonerId') return String(prisoner.id);
      if (name === 'action') return 'disable';
      const parent = path.slice(0, offset).split('/').filter(Boolean).pop()!;
      const value = byParent[parent];
      if (!value) throw new Error(`the forgery test does not know what to put in ${path}: add it`);
      return value;
    });

    const routes = routeTable(h.app).filter((r) => r.methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m)));
    const paths = routes.flatMap((r) => r.paths);
    // The walk really covers the app: publishing, deleting, moderating, accounts, RSVPs, uploads.
    expect(paths).toEqual(expect.arrayContaining([
      '/organise/events/:id/publish', '/organise/events/:id/delete', '/organise/submissions/:id/approve',
      '/organise/campaigns/:id/demands/:demandId/delete', '/admin/users/:id/:action', '/rsvp/:token/cancel',
      '/logout', '/events/:id/rsvp', '/events/:id/submissions', '/organise/prisoners/:id/portrait',
    ]));
    expect(paths.length).toBeGreaterThan(30);

    const before = await everything();
    const { type, body } = await rawMultipart();
    const refused: string[] = [];
    for (const route of routes) {
      for (const method of route.methods) {
        for (const path of route.paths.map(fill)) {
          const senders = [
            { who: 'organiser, no Origin', agent, headers: {} },
            { who: 'organiser, from another site', agent, headers: { Origin: 'https://attacker.example', 'Sec-Fetch-Site': 'cross-site' } },
            { who: 'visitor, from another site', agent: request(h.app), headers: { Origin: 'https://attacker.example' } },
          ];
          for (const sender of senders) {
            const res = await (sender.agent as ReturnType<typeof request.agent>)[method.toLowerCase() as 'post'](path)
              .set(sender.headers).set('Content-Type', type).send(body);
            const expected = route.takesFiles || 'Origin' in sender.headers ? [403, 415] : [415];
            if (!expected.includes(res.status)) refused.push(`${method} ${path} (${sender.who}): ${res.status}`);
          }
        }
      }
    }
    expect(refused).toEqual([]);
    expect(await everything()).toEqual(before);
    // Still logged in: the forged log-out did nothing either.
    expect((await agent.get('/organise')).status).toBe(200);
  });

  test('a route that does not take files says so with 415 instead of failing', async () => {
    const user = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, user);
    const res = await request(h.app).post(`/events/${event.id}/rsvp`).field('name', 'Lev').field('email', 'lev@example.org');
    expect(res.status).toBe(415);
    expect(res.text).toContain('format this page does not accept');
    expect(await h.database.db('rsvps').where({ event_id: event.id })).toEqual([]);
  });
});

describe('anonymous forms are protected by their origin', () => {
  test('an RSVP posted from another site is refused; from the event page it is taken', async () => {
    const user = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, user);
    const page = await request(h.app).get(`/events/${event.id}/rsvp`);
    expect(csrfFrom(page.text)).toBe(''); // no per-visitor token on a public page
    expect(page.headers['set-cookie']).toBeUndefined();
    const form = { name: 'Lev', email: 'lev@example.org', role: 'attendee' };
    for (const headers of [
      { Origin: 'https://attacker.example' },
      { Origin: 'https://attacker.example', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'http://picket.test', 'Sec-Fetch-Site': 'same-site' }, // a neighbouring subdomain
      { Origin: 'null' },
    ]) {
      const res = await request(h.app).post(`/events/${event.id}/rsvp`).set(headers).type('form').send(form);
      expect(res.status).toBe(403);
    }
    expect(await h.database.db('rsvps').where({ event_id: event.id })).toEqual([]);

    const own = await request(h.app).post(`/events/${event.id}/rsvp`)
      .set({ Origin: 'http://picket.test', 'Sec-Fetch-Site': 'same-origin' }).type('form').send(form);
    expect(own.status).toBe(303);
    // The address the request came to counts as this site too (a proxy that keeps the Host header).
    const byHost = await request(h.app).post(`/events/${event.id}/rsvp`)
      .set('Host', 'picket.example.org').set('Origin', 'http://picket.example.org').type('form').send({ ...form, email: 'ana@example.org' });
    expect(byHost.status).toBe(303);
    // curl and scripts send neither header and carry no visitor's cookies: taken like any client's.
    const script = await request(h.app).post(`/events/${event.id}/rsvp`).type('form').send({ ...form, email: 'ivan@example.org' });
    expect(script.status).toBe(303);
    expect((await h.database.db('rsvps').where({ event_id: event.id })).length).toBe(3);
  });

  test('a logged-in organiser\'s forms still need their token, even from the page itself', async () => {
    const user = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, user, { status: 'draft' });
    const agent = request.agent(h.app);
    await logIn(agent, user.email, user.password);
    const sameSite = { Origin: 'http://picket.test', 'Sec-Fetch-Site': 'same-origin' };
    expect((await agent.post(`/organise/events/${event.id}/publish`).set(sameSite).type('form').send({})).status).toBe(403);
    // Logged in, the RSVP form too carries and needs the session's token.
    const published = await buildEvent(h.database.db, user);
    const page = await agent.get(`/events/${published.id}/rsvp`);
    expect(csrfFrom(page.text)).not.toBe('');
    const noToken = await agent.post(`/events/${published.id}/rsvp`).set(sameSite).type('form').send({ name: 'Olena', email: 'o@example.org' });
    expect(noToken.status).toBe(403);
    const withToken = await agent.post(`/events/${published.id}/rsvp`).set(sameSite).type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Olena', email: 'o@example.org' });
    expect(withToken.status).toBe(303);
    // A valid token does not excuse a request from another site.
    const manage = await agent.get(`/organise/events/${event.id}`);
    const foreign = await agent.post(`/organise/events/${event.id}/publish`).set('Origin', 'https://attacker.example').type('form')
      .send({ _csrf: csrfFrom(manage.text) });
    expect(foreign.status).toBe(403);
    expect((await h.database.db('events').where({ id: event.id }).first()).status).toBe('draft');
  });

  test('the log-in form keeps its token (a forged log-in into the attacker\'s account is refused)', async () => {
    const user = await buildUser(h.database.db);
    const page = await request(h.app).get('/login');
    expect(csrfFrom(page.text)).not.toBe('');
    const res = await request(h.app).post('/login').type('form').send({ email: user.email, password: user.password });
    expect(res.status).toBe(403);
  });

  test('a body in a format no form sends is refused', async () => {
    const user = await buildUser(h.database.db);
    const event = await buildEvent(h.database.db, user);
    const res = await request(h.app).post(`/events/${event.id}/rsvp`).set('Content-Type', 'text/plain').send('name=Lev&email=lev@example.org');
    expect(res.status).toBe(415);
    expect(await h.database.db('rsvps').where({ event_id: event.id })).toEqual([]);
  });
});
