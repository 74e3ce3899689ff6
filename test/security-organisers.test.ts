// Organisers' pages are private: never kept by a browser or proxy, and another organiser's
// things answer "forbidden" before anything about the form is said.
import request from 'supertest';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildCampaign, buildEvent, buildUser } from './support/factories';
import { cameraPhoto, upload } from './support/media';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function agentFor(user: { email: string; password: string }) {
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return agent;
}

test('organiser and admin pages are marked no-store', async () => {
  const admin = await buildUser(h.database.db, { role: 'admin' });
  const campaign = await buildCampaign(h.database.db, admin);
  const event = await buildEvent(h.database.db, admin);
  const agent = await agentFor(admin);
  for (const path of [
    '/organise', `/organise/events/${event.id}`, `/organise/events/${event.id}/edit`, `/organise/campaigns/${campaign.id}`,
    '/organise/campaigns', '/organise/moderation', '/admin/users', '/admin/venues', '/admin/venues/new',
  ]) {
    const res = await agent.get(path);
    expect([path, res.status]).toEqual([path, 200]);
    expect([path, res.headers['cache-control']]).toEqual([path, expect.stringContaining('no-store')]);
  }
});

test('another organiser\'s malformed requests are refused as forbidden, not corrected', async () => {
  const alice = await buildUser(h.database.db, { name: 'Alice' });
  const mallory = await buildUser(h.database.db, { name: 'Mallory' });
  const campaign = await buildCampaign(h.database.db, alice);
  const event = await buildEvent(h.database.db, alice, { campaign_id: campaign.id });
  expect((await upload(request.agent(h.app), event.id, {}, [{ data: await cameraPhoto(1) }], { json: true })).status).toBe(201);
  const submission = await h.database.db('submissions').where({ event_id: event.id }).first();
  const aliceAgent = await agentFor(alice);
  const created = await submitForm(aliceAgent, `/organise/campaigns/${campaign.id}/letters`, `/organise/campaigns/${campaign.id}/letters`, {
    language: 'en', title: 'Letter', body: 'Release them.',
  });
  expect(created.status).toBe(303);
  const template = await h.database.db('letter_templates').where({ campaign_id: campaign.id }).first();

  const agent = await agentFor(mallory);
  const own = '/organise/moderation'; // a page of Mallory's own, for her token
  const attempts: [string, Record<string, string>][] = [
    [`/organise/submissions/${submission.id}/mask`, { regions: 'not json' }],
    [`/organise/submissions/${submission.id}/handin`, { handin_status: 'stolen' }],
    [`/organise/submissions/${submission.id}/reject`, { reason: 'x'.repeat(600) }],
    [`/organise/campaigns/${campaign.id}/letters`, { language: '!!', title: '', body: '' }],
    [`/organise/letters/${template.id}`, { language: '!!', title: '', body: '' }],
    [`/organise/events/${event.id}/messages`, { subject: '', body: '' }],
  ];
  for (const [action, fields] of attempts) {
    const res = await submitForm(agent, own, action, fields);
    expect([action, res.status]).toEqual([action, 403]);
    expect(res.text).not.toMatch(/required|not valid|too long|regions|masks/i);
  }
  // The owner gets the validation message for the same malformed masks.
  const mine = await submitForm(aliceAgent, own, `/organise/submissions/${submission.id}/mask`, { regions: 'not json' });
  expect(mine.status).toBe(400);
});
