// Local groups host pickets (issue 17): a stranger proposes a picket through a campaign's open
// call, confirms their address by the e-mailed link, and the campaign's organisers approve it
// (published on the board and the map, run by its host) or decline it. Real PostgreSQL, real SMTP.
import request from 'supertest';
import { DateTime } from 'luxon';
import { createHarness, Harness, logIn, submitForm, linkIn } from './support/harness';
import { buildCampaign, buildUser, unique } from './support/factories';
import { recipients } from './support/smtp';
import { eraseStaleProposals, sendProposalDigests } from '../src/services/proposal-jobs';

let h: Harness;
let organiser: Awaited<ReturnType<typeof buildUser>>;
let campaign: { id: number; slug: string; title: string };
let embassy: { id: number };

beforeAll(async () => {
  h = await createHarness({ env: { PROPOSAL_RATE_LIMIT: '1000' } });
  organiser = await buildUser(h.database.db, { name: 'Olga Organiser' });
  campaign = await buildCampaign(h.database.db, organiser, { title: 'Free the Picket Five' });
  await h.database.db('campaigns').where({ id: campaign.id }).update({ proposals_open: true });
  await h.database.db('demands').insert({ campaign_id: campaign.id, kind: 'release', text: 'Release the Five', position: 0 });
  [embassy] = await h.database.db('venues').insert({
    kind: 'embassy', name: 'Embassy of Belarus in Lithuania', address: 'Mindaugo g. 13', city: 'Vilnius', country: 'LT', represents: 'BY',
    latitude: 54.6787, longitude: 25.2745, timezone: 'Europe/Vilnius',
  }).returning('id');
});
afterAll(async () => {
  await h.close();
});

const nextWeek = (hour = 18) => DateTime.now().setZone('Europe/Vilnius').plus({ weeks: 1 }).set({ hour, minute: 0 });

function proposal(overrides: Record<string, string> = {}) {
  const start = nextWeek();
  return {
    title: 'Picket at the embassy in Vilnius', description: 'Bring candles.', venue_id: String(embassy.id), address: '', city: '', country: '',
    latitude: '', longitude: '', timezone: '', starts_local: start.toFormat("yyyy-MM-dd'T'HH:mm"), ends_local: start.plus({ hours: 2 }).toFormat("yyyy-MM-dd'T'HH:mm"),
    capacity: '', meeting_point: '', host_name: 'Vilnius Solidarity', host_email: `${unique('host')}@picket.test`, website: '', ...overrides,
  };
}

async function propose(fields: Record<string, string>) {
  return request(h.app).post(`/campaigns/${campaign.slug}/host`).type('form').send(fields);
}

/** Proposes, then follows the verification link from the e-mail: GET shows a button, POST confirms. */
async function proposeAndVerify(fields: Record<string, string>) {
  h.smtp.clear(); // the host may have had a confirmation e-mail before: take this one's
  const res = await propose(fields);
  expect(res.status).toBe(303);
  await h.runJobs();
  const mail = await h.smtp.waitFor((m) => recipients(m).includes(fields.host_email) && /Confirm/.test(m.subject ?? ''));
  const link = linkIn(mail.text ?? '', '/proposals/verify/');
  const page = await request(h.app).get(link);
  expect(page.status).toBe(200);
  const done = await request(h.app).post(link).type('form').send({});
  expect(done.status).toBe(200);
  await h.runJobs();
  return { link, done };
}

async function organiserAgent(user = organiser) {
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return agent;
}

async function proposalRow(email: string) {
  return h.database.db('proposals as p').join('hosts as h', 'h.id', 'p.host_id').where('h.email', email).orderBy('p.id', 'desc').first('p.*');
}

describe('a stranger proposes a picket', () => {
  test('the campaign page invites local groups while the call is open, and the form is there', async () => {
    const page = await request(h.app).get(`/campaigns/${campaign.slug}`);
    expect(page.text).toContain('Host a picket in your city');
    const form = await request(h.app).get(`/campaigns/${campaign.slug}/host`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Embassy of Belarus in Lithuania');
  });

  test('bad input is refused field by field, with the input kept', async () => {
    const past = DateTime.now().setZone('Europe/Vilnius').minus({ days: 2 });
    const res = await propose(proposal({
      title: '', host_email: 'not-an-address', starts_local: past.toFormat("yyyy-MM-dd'T'HH:mm"), ends_local: past.plus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm"),
      description: 'Keep this text',
    }));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="field-title-error"/);
    expect(res.text).toMatch(/id="field-host_email-error"/);
    expect(res.text).toContain('Keep this text');
    // The date is checked once the fields are valid: a past time is refused clearly.
    const pastOnly = await propose(proposal({ starts_local: past.toFormat("yyyy-MM-dd'T'HH:mm"), ends_local: past.plus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm") }));
    expect(pastOnly.status).toBe(400);
    expect(pastOnly.text).toContain('This time has already passed');
  });

  test('an unknown embassy, coordinates out of range and a time in a DST gap are refused', async () => {
    const unknownVenue = await propose(proposal({ venue_id: '999999' }));
    expect(unknownVenue.status).toBe(400);
    expect(unknownVenue.text).toMatch(/id="field-venue_id-error"/);
    const outOfRange = await propose(proposal({ venue_id: '', city: 'Vilnius', country: 'LT', latitude: '95', longitude: '25.2' }));
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.text).toMatch(/id="field-latitude-error"/);
    // Clocks in Vilnius jump from 03:00 to 04:00 on the last Sunday of March.
    const year = DateTime.now().year + 1;
    const lastSunday = DateTime.fromObject({ year, month: 3, day: 31 }, { zone: 'Europe/Vilnius' }).startOf('week').plus({ days: 6 });
    const sunday = lastSunday.month === 3 ? lastSunday : lastSunday.minus({ weeks: 1 });
    const gap = await propose(proposal({ starts_local: `${sunday.toFormat('yyyy-MM-dd')}T03:30`, ends_local: `${sunday.toFormat('yyyy-MM-dd')}T05:00` }));
    expect(gap.status).toBe(400);
    expect(gap.text).toMatch(/id="field-starts_local-error"/);
    expect(Number((await h.database.db('proposals').count({ n: '*' }).first())?.n)).toBe(0);
  });

  test('a bot that fills the hidden field is told it worked, and nothing is kept or sent', async () => {
    const fields = proposal({ website: 'http://spam.example' });
    const res = await propose(fields);
    expect(res.status).toBe(303);
    expect(await proposalRow(fields.host_email)).toBeUndefined();
  });

  test('nobody sees a proposal before its e-mail is verified; then the organisers hear of it', async () => {
    const fields = proposal({ title: 'Candles in Vilnius' });
    await propose(fields);
    const agent = await organiserAgent();
    expect((await agent.get('/organise/proposals')).text).not.toContain('Candles in Vilnius');
    const row = await proposalRow(fields.host_email);
    expect(row.status).toBe('proposed_unverified');
    expect((await agent.get(`/organise/proposals/${row.id}`)).status).toBe(404);

    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes(fields.host_email));
    const link = linkIn(mail.text ?? '', '/proposals/verify/');
    // Opening the link (a mail scanner does) spends nothing; the button does.
    expect((await request(h.app).get(link)).status).toBe(200);
    expect((await proposalRow(fields.host_email)).status).toBe('proposed_unverified');
    const done = await request(h.app).post(link).type('form').send({});
    expect(done.text).toContain('Your proposal is with the organisers');
    // Used twice: a clear page.
    const again = await request(h.app).get(link);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link no longer works');

    await h.runJobs();
    const told = await h.smtp.waitFor((m) => recipients(m).includes(organiser.email) && (m.subject ?? '').includes('Vilnius'));
    expect(told.text).toContain('Candles in Vilnius');
    const queue = await agent.get('/organise/proposals');
    expect(queue.text).toContain('Candles in Vilnius');
    expect(queue.text).toContain(fields.host_email);
    expect((await agent.get('/organise')).text).toMatch(/proposals? from local hosts (is|are) waiting/);
  });
});

describe('organisers decide', () => {
  test('approving publishes the picket on the board and the map, run by its host, and the host gets a sign-in link', async () => {
    const fields = proposal({ title: 'Vilnius vigil' });
    await proposeAndVerify(fields);
    const row = await proposalRow(fields.host_email);
    const agent = await organiserAgent();
    const approved = await submitForm(agent, `/organise/proposals/${row.id}`, `/organise/proposals/${row.id}/approve`, {});
    expect(approved.status).toBe(303);
    const event = await h.database.db('events').where({ title: 'Vilnius vigil' }).first();
    expect(event).toMatchObject({ status: 'published', owner_id: organiser.id, campaign_id: campaign.id, city: 'Vilnius', timezone: 'Europe/Vilnius' });
    expect(event.host_id).toBe(row.host_id);

    const board = await request(h.app).get(`/campaigns/${campaign.slug}`);
    expect(board.text).toContain('Vilnius');
    expect(board.text).toMatch(/capitals? covered/);
    const map = await request(h.app).get(`/api/events.geojson?campaign=${campaign.slug}`);
    expect(JSON.stringify(map.body)).toContain('Vilnius vigil');
    // The host's address is in no public output.
    for (const path of [`/campaigns/${campaign.slug}`, `/events/${event.id}`, `/api/events.geojson?campaign=${campaign.slug}`, `/api/events?campaign=${campaign.slug}`, `/campaigns/${campaign.slug}.ics`, `/events/${event.id}.ics`]) {
      const res = await request(h.app).get(path);
      expect(res.text).not.toContain(fields.host_email);
      expect(res.text).not.toContain('Vilnius Solidarity');
    }

    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes(fields.host_email) && (m.subject ?? '').includes('published'));
    expect(linkIn(mail.text ?? '', '/host/link/')).toMatch(/^\/host\/link\//);
    expect(mail.text).toContain(`/campaigns/${campaign.slug}/host/sign-in`); // for a new link once this one is spent
    // Decided: the proposal's page says so and leads to the picket; deciding twice is refused.
    const decided = await agent.get(`/organise/proposals/${row.id}`);
    expect(decided.text).toContain('Approved: it is a picket now');
    expect(decided.text).toContain(`/organise/events/${event.id}`);
    expect(decided.text).not.toContain('Save changes');
    const twice = await submitForm(agent, '/organise/proposals', `/organise/proposals/${row.id}/approve`, {});
    expect(twice.status).toBe(409);
  });

  test('an organiser edits a proposal before approving it, with the same rules', async () => {
    const fields = proposal({ title: 'Draft title' });
    await proposeAndVerify(fields);
    const row = await proposalRow(fields.host_email);
    const agent = await organiserAgent();
    const bad = await submitForm(agent, `/organise/proposals/${row.id}`, `/organise/proposals/${row.id}`, { ...proposal({ title: '' }) });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="field-title-error"/);
    const good = await submitForm(agent, `/organise/proposals/${row.id}`, `/organise/proposals/${row.id}`, { ...proposal({ title: 'Edited title' }) });
    expect(good.status).toBe(303);
    expect((await proposalRow(fields.host_email)).title).toBe('Edited title');
  });

  test('declining e-mails the host the message, and nothing is published', async () => {
    const fields = proposal({ title: 'Too close to the other one' });
    await proposeAndVerify(fields);
    const row = await proposalRow(fields.host_email);
    const agent = await organiserAgent();
    const res = await submitForm(agent, `/organise/proposals/${row.id}`, `/organise/proposals/${row.id}/decline`, { message: 'Please join the picket at 17:00 instead.' });
    expect(res.status).toBe(303);
    expect((await proposalRow(fields.host_email)).status).toBe('declined');
    expect(await h.database.db('events').where({ title: 'Too close to the other one' }).first()).toBeUndefined();
    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes(fields.host_email) && /declined/.test(m.text ?? ''));
    expect(mail.text).toContain('Please join the picket at 17:00 instead.');
  });

  test('a trusted host’s next proposal is published as soon as it is verified', async () => {
    const email = `${unique('trusted')}@picket.test`;
    await proposeAndVerify(proposal({ title: 'First from Riga', host_email: email }));
    const first = await proposalRow(email);
    const agent = await organiserAgent();
    expect((await submitForm(agent, '/organise/proposals', `/organise/hosts/${first.host_id}/trust`, { trusted: '1' })).status).toBe(303);
    const { done } = await proposeAndVerify(proposal({ title: 'Second from Riga', host_email: email }));
    expect(done.text).toContain('Your picket is published');
    expect(await h.database.db('events').where({ title: 'Second from Riga', status: 'published' }).first()).toBeDefined();
    expect(await h.database.db('events').where({ title: 'First from Riga' }).first()).toBeUndefined();
  });

  test('someone typing a verified host’s address cannot rename them in the organisers’ queue', async () => {
    const email = `${unique('named')}@picket.test`;
    await proposeAndVerify(proposal({ title: 'Genuine one', host_email: email, host_name: 'Tallinn Solidarity' }));
    await propose(proposal({ title: 'Impostor', host_email: email, host_name: 'Someone Else' }));
    expect((await h.database.db('hosts').where({ email }).first()).name).toBe('Tallinn Solidarity');
  });

  test('a revoked host can no longer propose or sign in', async () => {
    const email = `${unique('revoked')}@picket.test`;
    await proposeAndVerify(proposal({ title: 'Revoked one', host_email: email }));
    const row = await proposalRow(email);
    const agent = await organiserAgent();
    await submitForm(agent, `/organise/proposals/${row.id}`, `/organise/proposals/${row.id}/approve`, {});
    await h.runJobs();
    const mail = await h.smtp.waitFor((m) => recipients(m).includes(email) && (m.subject ?? '').includes('published'));
    const link = linkIn(mail.text ?? '', '/host/link/');
    expect((await submitForm(agent, '/organise/proposals', `/organise/hosts/${row.host_id}/revoke`, {})).status).toBe(303);

    const page = await request(h.app).get(link);
    expect(page.status).toBe(410);
    expect(page.text).toContain('withdrew this host');
    const count = async () => Number((await h.database.db('proposals').where({ host_id: row.host_id }).count({ n: '*' }).first())?.n);
    const before = await count();
    const again = await propose(proposal({ title: 'After revoke', host_email: email }));
    expect(again.status).toBe(303); // answered like anyone, so nobody learns who was revoked
    expect(await count()).toBe(before);
  });

  test('a closed call shows no invitation and refuses proposals', async () => {
    const other = await buildCampaign(h.database.db, organiser, { title: 'Closed call' });
    expect((await request(h.app).get(`/campaigns/${other.slug}/host`)).status).toBe(404);
    const agent = await organiserAgent();
    expect((await submitForm(agent, '/organise/proposals', `/organise/calls/${other.id}`, { open: '1' })).status).toBe(303);
    expect((await request(h.app).get(`/campaigns/${other.slug}/host`)).status).toBe(200);
    await submitForm(agent, '/organise/proposals', `/organise/calls/${other.id}`, { open: '0' });
    expect((await request(h.app).get(`/campaigns/${other.slug}`)).text).not.toContain('Host a picket in your city');
    expect((await request(h.app).post(`/campaigns/${other.slug}/host`).type('form').send(proposal())).status).toBe(404);
  });
});

describe('abuse and retention', () => {
  test('proposals per e-mail are limited', async () => {
    const email = `${unique('eager')}@picket.test`;
    for (let i = 0; i < h.config.PROPOSAL_EMAIL_RATE_LIMIT; i += 1) expect((await propose(proposal({ host_email: email }))).status).toBe(303);
    const refused = await propose(proposal({ host_email: email }));
    expect(refused.status).toBe(429);
  });

  test('declined and unverified proposals are erased after the retention period, with their hosts', async () => {
    const unverified = proposal({ title: 'Never confirmed' });
    await propose(unverified);
    const declinedFields = proposal({ title: 'Declined long ago' });
    await proposeAndVerify(declinedFields);
    const declined = await proposalRow(declinedFields.host_email);
    const agent = await organiserAgent();
    await submitForm(agent, `/organise/proposals/${declined.id}`, `/organise/proposals/${declined.id}/decline`, { message: '' });

    const now = new Date();
    await eraseStaleProposals(h.deps, now);
    expect(await proposalRow(unverified.host_email)).toBeDefined();

    const later = new Date(now.getTime() + (h.config.PROPOSAL_RETENTION_DAYS + 1) * 24 * 3600_000);
    const erased = await eraseStaleProposals(h.deps, later);
    expect(erased.proposals).toBeGreaterThanOrEqual(2);
    expect(await proposalRow(unverified.host_email)).toBeUndefined();
    expect(await proposalRow(declinedFields.host_email)).toBeUndefined();
    expect(await h.database.db('hosts').where({ email: unverified.host_email }).first()).toBeUndefined();
    expect(await h.database.db('hosts').where({ email: declinedFields.host_email }).first()).toBeUndefined();
    // Approved pickets and their hosts stay.
    expect(await h.database.db('events').where({ title: 'Vilnius vigil' }).first()).toBeDefined();
  });

  test('the organisers get one daily digest of the proposals waiting', async () => {
    const fields = proposal({ title: 'Digest me' });
    await proposeAndVerify(fields);
    h.smtp.clear();
    expect(await sendProposalDigests(h.deps, new Date())).toBe(1);
    await h.runJobs();
    const digest = await h.smtp.waitFor((m) => recipients(m).includes(organiser.email) && /new picket proposal/.test(m.subject ?? ''));
    expect(digest.text).toContain('Digest me');
    expect(await sendProposalDigests(h.deps, new Date())).toBe(0); // each proposal once
  });
});

describe('time moves on', () => {
  test('a proposal whose time passed while it waited cannot be approved as it is', async () => {
    const fields = proposal({ title: 'Waited too long' });
    await proposeAndVerify(fields);
    const row = await proposalRow(fields.host_email);
    await h.database.db('proposals').where({ id: row.id }).update({ starts_at: new Date(Date.now() - 3600_000), ends_at: new Date(Date.now() - 60_000) });
    const agent = await organiserAgent();
    const res = await submitForm(agent, `/organise/proposals/${row.id}`, `/organise/proposals/${row.id}/approve`, {});
    expect(res.status).toBe(409);
    expect(res.text).toContain('This time has already passed');
    expect((await proposalRow(fields.host_email)).status).toBe('proposed');
  });
});
