// Hosts sign in by link and manage only the pickets they run, through the organisers' own pages;
// two hosts and two organisers (of two campaigns) try everything that is not theirs.
import request from 'supertest';
import { createHarness, Harness, logIn, submitForm, csrfFrom } from './support/harness';
import { buildCampaign, buildEvent, buildRsvp, buildUser, unique } from './support/factories';
import { cameraPhoto, upload } from './support/media';
import { signInLinkFor } from '../src/services/hosts';

let h: Harness;
let olga: Awaited<ReturnType<typeof buildUser>>; // organiser of campaign A
let boris: Awaited<ReturnType<typeof buildUser>>; // organiser of campaign B
let pickets: Record<'olgas' | 'h1' | 'h2' | 'borises', { id: number }>;
let hosts: Record<'h1' | 'h2', { id: number }>;
let proposal: { id: number };

async function buildHost(campaignId: number, name: string) {
  const [row] = await h.database.db('hosts').insert({ campaign_id: campaignId, email: `${unique('host')}@picket.test`, name, verified_at: new Date() }).returning('*');
  return row;
}

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  olga = await buildUser(db, { name: 'Olga' });
  boris = await buildUser(db, { name: 'Boris' });
  const a = await buildCampaign(db, olga);
  const b = await buildCampaign(db, boris);
  hosts = { h1: await buildHost(a.id, 'Host One'), h2: await buildHost(a.id, 'Host Two') };
  pickets = {
    olgas: await buildEvent(db, olga, { campaign_id: a.id, title: 'Olga picket' }),
    h1: await buildEvent(db, olga, { campaign_id: a.id, title: 'Host one picket', city: 'Vilnius' }),
    h2: await buildEvent(db, olga, { campaign_id: a.id, title: 'Host two picket', city: 'Riga' }),
    borises: await buildEvent(db, boris, { campaign_id: b.id, title: 'Boris picket' }),
  };
  await db('events').where({ id: pickets.h1.id }).update({ host_id: hosts.h1.id });
  await db('events').where({ id: pickets.h2.id }).update({ host_id: hosts.h2.id });
  const start = new Date(Date.now() + 7 * 24 * 3600_000);
  [proposal] = await db('proposals').insert({
    campaign_id: a.id, host_id: hosts.h2.id, status: 'proposed', title: 'Waiting one', city: 'Tallinn', country: 'EE', latitude: 59.43, longitude: 24.75,
    timezone: 'Europe/Tallinn', starts_at: start, ends_at: new Date(start.getTime() + 3600_000),
  }).returning('id');
});
afterAll(async () => {
  await h.close();
});

/** Signs a host in the way they do: the link from the e-mail, then its button. */
async function hostAgent(hostId: number) {
  const link = (await signInLinkFor(h.database.db, h.deps, hostId)).replace('http://picket.test', '');
  const agent = request.agent(h.app);
  expect((await agent.get(link)).status).toBe(200);
  const res = await agent.post(link).type('form').send({});
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/host');
  return { agent, link };
}

async function organiserAgent(user: { email: string; password: string }) {
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return agent;
}

test('a host sees and does for their picket what an organiser does: RSVPs, CSV, message, moderation, report-back', async () => {
  await buildRsvp(h.database.db, pickets.h1, { name: 'First Attendee', email: 'first@picket.test' });
  expect((await upload(request.agent(h.app), pickets.h1.id, {}, [{ data: await cameraPhoto(1) }], { json: true })).status).toBe(201);
  const submission = await h.database.db('submissions').where({ event_id: pickets.h1.id }).first();
  const { agent } = await hostAgent(hosts.h1.id);

  const home = await agent.get('/host');
  expect(home.text).toContain('Host one picket');
  expect(home.text).not.toContain('Host two picket');
  expect((await agent.get(`/organise/events/${pickets.h1.id}`)).status).toBe(200);
  const rsvps = await agent.get(`/organise/events/${pickets.h1.id}/rsvps`);
  expect(rsvps.status).toBe(200);
  expect(rsvps.text).toContain('First Attendee');
  // A host may remove someone from their picket, not put them on the campaign's block list.
  expect(rsvps.text).toMatch(/rsvps\/\d+\/remove"/);
  expect(rsvps.text).not.toMatch(/rsvps\/\d+\/block"/);
  const attendee = await h.database.db('rsvps').where({ event_id: pickets.h1.id, name: 'First Attendee' }).first();
  expect((await submitForm(agent, `/organise/events/${pickets.h1.id}/rsvps`, `/organise/events/${pickets.h1.id}/rsvps/${attendee.id}/block`, {})).status).toBe(403);
  const csv = await agent.get(`/organise/events/${pickets.h1.id}/rsvps.csv`);
  expect(csv.text).toContain('first@picket.test');
  const sent = await submitForm(agent, `/organise/events/${pickets.h1.id}/rsvps`, `/organise/events/${pickets.h1.id}/messages`, { subject: 'Bring candles', body: 'See you at 6.' });
  expect(sent.status).toBe(303);
  const moderation = await agent.get(`/organise/events/${pickets.h1.id}/moderation`);
  expect(moderation.status).toBe(200);
  expect((await submitForm(agent, `/organise/events/${pickets.h1.id}/moderation`, `/organise/submissions/${submission.id}/approve`, {})).status).toBe(303);
  expect((await h.database.db('submissions').where({ id: submission.id }).first()).status).toBe('approved');
  const report = await submitForm(agent, `/organise/events/${pickets.h1.id}/report`, `/organise/events/${pickets.h1.id}/report`, { action_status: 'happened', attendance_count: '40' });
  expect(report.status).toBe(303);
  expect(await h.database.db('events').where({ id: pickets.h1.id }).first()).toMatchObject({ action_status: 'happened', attendance_count: 40 });
});

test('a host gets 403 for every other picket and every organiser-only page, and 404 for what does not exist', async () => {
  const { agent } = await hostAgent(hosts.h1.id);
  for (const other of [pickets.h2, pickets.olgas, pickets.borises]) {
    for (const path of [`/organise/events/${other.id}`, `/organise/events/${other.id}/rsvps`, `/organise/events/${other.id}/rsvps.csv`, `/organise/events/${other.id}/moderation`, `/organise/events/${other.id}/report`]) {
      expect([path, (await agent.get(path)).status]).toEqual([path, 403]);
    }
  }
  for (const path of ['/organise', `/organise/events/${pickets.h1.id}/edit`, '/organise/events/new', '/organise/proposals', `/organise/proposals/${proposal.id}`, '/organise/campaigns', '/organise/moderation', '/admin/users']) {
    expect([path, (await agent.get(path)).status]).toEqual([path, 403]);
  }
  expect((await agent.get('/organise/events/999999/rsvps')).status).toBe(404);
  const token = csrfFrom((await agent.get('/host')).text);
  for (const [action, fields] of [
    [`/organise/events/${pickets.h2.id}/messages`, { subject: 'x', body: 'y' }],
    [`/organise/events/${pickets.h1.id}/cancel`, {}],
    [`/organise/events/${pickets.h1.id}`, { title: 'Renamed' }],
    [`/organise/proposals/${proposal.id}/approve`, {}],
    [`/organise/hosts/${hosts.h2.id}/revoke`, {}],
  ] as [string, Record<string, string>][]) {
    const res = await agent.post(action).type('form').send({ _csrf: token, ...fields });
    expect([action, res.status]).toEqual([action, 403]);
  }
  expect((await h.database.db('events').where({ id: pickets.h1.id }).first()).status).toBe('published');
});

test('the second host sees only their own picket', async () => {
  const { agent } = await hostAgent(hosts.h2.id);
  expect((await agent.get(`/organise/events/${pickets.h2.id}/rsvps`)).status).toBe(200);
  expect((await agent.get(`/organise/events/${pickets.h1.id}/rsvps`)).status).toBe(403);
});

test('an organiser of another campaign gets 403 for this campaign’s proposals, hosts and hosted pickets', async () => {
  const agent = await organiserAgent(boris);
  expect((await agent.get(`/organise/proposals/${proposal.id}`)).status).toBe(403);
  expect((await agent.get('/organise/proposals')).text).not.toContain('Waiting one');
  expect((await agent.get(`/organise/events/${pickets.h1.id}/rsvps`)).status).toBe(403);
  const campaignA = (await h.database.db('hosts').where({ id: hosts.h1.id }).first()).campaign_id;
  for (const [action, fields] of [
    [`/organise/proposals/${proposal.id}/approve`, {}],
    [`/organise/proposals/${proposal.id}/decline`, { message: 'no' }],
    [`/organise/proposals/${proposal.id}`, { title: 'x' }],
    [`/organise/hosts/${hosts.h1.id}/trust`, { trusted: '1' }],
    [`/organise/hosts/${hosts.h1.id}/revoke`, {}],
    [`/organise/calls/${campaignA}`, { open: '1' }],
  ] as [string, Record<string, string>][]) {
    const res = await submitForm(agent, '/organise', action, fields);
    expect([action, res.status]).toEqual([action, 403]);
  }
  expect((await h.database.db('proposals').where({ id: proposal.id }).first()).status).toBe('proposed');
  // The campaign's own organiser sees the queue, with the host's address.
  const olgas = await organiserAgent(olga);
  const queue = await olgas.get('/organise/proposals');
  expect(queue.text).toContain('Waiting one');
  expect(queue.text).toContain('Host One');
});

test('a sign-in link works once; an expired or revoked one shows a clear page; revoking ends a running session', async () => {
  const { agent, link } = await hostAgent(hosts.h1.id);
  const twice = await request(h.app).get(link);
  expect(twice.status).toBe(410);
  expect(twice.text).toContain('already used');
  expect(twice.text).toContain('Ask for a new sign-in link');
  expect((await request(h.app).post(link).type('form').send({})).status).toBe(410);

  const expired = (await signInLinkFor(h.database.db, h.deps, hosts.h1.id)).replace('http://picket.test', '');
  await h.database.db('host_links').where('id', h.database.db('host_links').max('id')).update({ expires_at: new Date(Date.now() - 1000) });
  const old = await request(h.app).get(expired);
  expect(old.status).toBe(410);
  expect(old.text).toContain('expired');
  expect((await request(h.app).get('/host/link/not-a-real-token')).status).toBe(410);

  const unused = (await signInLinkFor(h.database.db, h.deps, hosts.h1.id)).replace('http://picket.test', '');
  const olgas = await organiserAgent(olga);
  expect((await submitForm(olgas, '/organise/proposals', `/organise/hosts/${hosts.h1.id}/revoke`, {})).status).toBe(303);
  const revoked = await request(h.app).get(unused);
  expect(revoked.status).toBe(410);
  expect(revoked.text).toContain('withdrew');
  // The session that was open is over at its next request.
  const after = await agent.get(`/organise/events/${pickets.h1.id}/rsvps`);
  expect(after.status).toBe(303);
  expect(after.headers.location).toMatch(/^\/login/);
});

test('a host asks for a new sign-in link; an unknown address gets the same answer and no e-mail', async () => {
  const db = h.database.db;
  const host = await db('hosts').where({ id: hosts.h2.id }).first();
  const campaign = await db('campaigns').where({ id: host.campaign_id }).first();
  const page = `/campaigns/${campaign.slug}/host/sign-in`;
  expect((await request(h.app).get(page)).status).toBe(200);
  const bad = await request(h.app).post(page).type('form').send({ email: 'not an address' });
  expect(bad.status).toBe(400);
  expect(bad.text).toMatch(/id="field-email-error"/);
  h.smtp.clear();
  const stranger = await request(h.app).post(page).type('form').send({ email: 'nobody@picket.test' });
  const known = await request(h.app).post(page).type('form').send({ email: host.email.toUpperCase() });
  expect(stranger.status).toBe(200);
  expect(known.status).toBe(200);
  expect(known.text).toContain('If this address hosts a picket of this campaign');
  expect(stranger.text).toContain('If this address hosts a picket of this campaign');
  await h.runJobs();
  const mail = await h.smtp.waitFor((m) => (m.subject ?? '').includes('sign-in link'));
  const link = /http:\/\/picket\.test(\/host\/link\/[^\s"<]+)/.exec(mail.text ?? '')![1];
  const agent = request.agent(h.app);
  await agent.get(link);
  expect((await agent.post(link).type('form').send({})).headers.location).toBe('/host');
  expect((await agent.get('/host')).text).toContain('Host two picket');
  expect(h.smtp.to('nobody@picket.test')).toHaveLength(0);
});

test('proposals and sign-in requests from one address are limited (PROPOSAL_RATE_LIMIT per hour)', async () => {
  const campaign = await h.database.db('campaigns').where({ id: (await h.database.db('hosts').where({ id: hosts.h2.id }).first()).campaign_id }).first();
  await h.database.db('campaigns').where({ id: campaign.id }).update({ proposals_open: true });
  const statuses: number[] = [];
  for (let i = 0; i <= h.config.PROPOSAL_RATE_LIMIT; i += 1) {
    statuses.push((await request(h.app).post(`/campaigns/${campaign.slug}/host`).type('form').send({ title: '' })).status);
  }
  expect(statuses.at(-1)).toBe(429);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
  // "Find places" only searches the directory: it is not counted, and still works.
  expect((await request(h.app).post(`/campaigns/${campaign.slug}/host`).type('form').send({ find_venue: '1', venue_q: 'x' })).status).toBe(200);
});
