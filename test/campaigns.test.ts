// Organisers set up campaigns with demands and prisoner profiles; nobody touches another's campaign.
import request from 'supertest';
import { createHarness, Harness, logIn, submitForm } from './support/harness';
import { buildCampaign, buildUser, PASSWORD } from './support/factories';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function organiser(role: 'organiser' | 'admin' = 'organiser') {
  const user = await buildUser(h.database.db, { role });
  const agent = request.agent(h.app);
  await logIn(agent, user.email, PASSWORD);
  return { user, agent };
}

const count = async (table: string) => Number((await h.database.db(table).count({ n: '*' }).first())!.n);

describe('an organiser sets up a campaign', () => {
  test('creates a campaign, adds demands and a prisoner profile, and sees them on the public page', async () => {
    const { agent } = await organiser();
    const created = await submitForm(agent, '/organise/campaigns/new', '/organise/campaigns', {
      title: 'Freedom for Belarusian political prisoners',
      slug: '',
      description: 'Over **a thousand** people are in prison.',
      target_country: 'by',
      slogans: 'Free them all\r\n\r\nЖыве Беларусь!',
      language: 'en',
      status: 'active',
    });
    expect(created.status).toBe(303);
    const path = created.headers.location as string;
    expect(path).toMatch(/^\/organise\/campaigns\/\d+$/);
    const campaign = await h.database.db('campaigns').first();
    expect(campaign).toMatchObject({ slug: 'freedom-for-belarusian-political-prisoners', target_country: 'BY', slogans: ['Free them all', 'Жыве Беларусь!'] });

    const prisoner = await submitForm(agent, `${path}/prisoners/new`, `${path}/prisoners`, {
      name: 'Maria Kalesnikava', status: 'sentenced', since: '2020-09-07', story: 'A musician and opposition leader.',
    });
    expect(prisoner.status).toBe(303);
    const prisonerRow = await h.database.db('prisoners').first();

    const demand = await submitForm(agent, `${path}/demands/new`, `${path}/demands`, {
      kind: 'release', text: 'Release Maria Kalesnikava', prisoner_id: String(prisonerRow.id),
    });
    expect(demand.status).toBe(303);
    await submitForm(agent, `${path}/demands/new`, `${path}/demands`, { kind: 'drop_charges', text: 'Drop the charges against the strikers', prisoner_id: '' });
    const demands = await h.database.db('demands').orderBy('position');
    expect(demands.map((d) => [d.text, d.prisoner_id, d.position])).toEqual([
      ['Release Maria Kalesnikava', prisonerRow.id, 0],
      ['Drop the charges against the strikers', null, 1],
    ]);

    const workspace = await agent.get(path);
    expect(workspace.text).toContain('Release Maria Kalesnikava');
    expect(workspace.text).toContain('Maria Kalesnikava');

    const page = await request(h.app).get('/campaigns/freedom-for-belarusian-political-prisoners');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<strong>a thousand</strong>');
    expect(page.text).toContain('Жыве Беларусь!');
    expect(page.text).toContain('Belarus');
    expect(page.text).toContain('Release Maria Kalesnikava');
    expect(page.text).toContain('Drop the charges');
    expect(page.text).toContain('Sentenced');
    expect(page.text).toContain('7 September 2020');
    expect(page.text).toContain('lang="en"');
  });

  test('edits the campaign and links a prisoner to demands from the profile form', async () => {
    const { user, agent } = await organiser();
    const campaign = await buildCampaign(h.database.db, user, { slug: 'old-address' });
    const path = `/organise/campaigns/${campaign.id}`;
    const saved = await submitForm(agent, path, path, {
      title: 'Renamed', slug: 'new-address', description: '', target_country: 'BY', slogans: '', language: '', status: 'archived',
    });
    expect(saved.status).toBe(303);
    expect(await h.database.db('campaigns').where({ id: campaign.id }).first()).toMatchObject({ title: 'Renamed', slug: 'new-address', status: 'archived', language: null });
    expect((await request(h.app).get('/campaigns/new-address')).text).toContain('This campaign is archived');
    expect((await request(h.app).get('/campaigns/old-address')).status).toBe(404);

    await submitForm(agent, `${path}/demands/new`, `${path}/demands`, { kind: 'release', text: 'Release Ihar Losik', prisoner_id: '' });
    await submitForm(agent, `${path}/prisoners/new`, `${path}/prisoners`, { name: 'Ihar Losik', status: 'detained', since: '', story: '' });
    const demand = await h.database.db('demands').where({ campaign_id: campaign.id }).first();
    const prisoner = await h.database.db('prisoners').where({ campaign_id: campaign.id }).first();
    const linked = await submitForm(agent, `${path}/prisoners/${prisoner.id}`, `${path}/prisoners/${prisoner.id}`, {
      name: 'Ihar Losik', status: 'released', since: '2025-02-01', story: 'Blogger, freed in 2025.', demand_ids: String(demand.id),
    });
    expect(linked.status).toBe(303);
    expect((await h.database.db('demands').where({ id: demand.id }).first()).prisoner_id).toBe(prisoner.id);
    const form = await agent.get(`${path}/prisoners/${prisoner.id}`);
    expect(form.text).toMatch(new RegExp(`value="${demand.id}" checked`));

    const deleted = await submitForm(agent, path, `${path}/demands/${demand.id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(await h.database.db('demands').where({ id: demand.id }).first()).toBeUndefined();
  });

  test('the campaign list shows the organiser\'s own campaigns only', async () => {
    const { user, agent } = await organiser();
    const other = await buildUser(h.database.db);
    await buildCampaign(h.database.db, user, { title: 'Mine to run' });
    await buildCampaign(h.database.db, other, { title: 'Someone else runs this' });
    const list = await agent.get('/organise/campaigns');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Mine to run');
    expect(list.text).not.toContain('Someone else runs this');
  });
});

describe('an organiser cannot touch another organiser\'s campaign', () => {
  test('every page and form of it answers 403 and nothing changes, whatever the form says', async () => {
    const owner = await organiser();
    const intruder = await organiser();
    const campaign = await buildCampaign(h.database.db, owner.user, { title: 'Owned by the first' });
    const [prisoner] = await h.database.db('prisoners').insert({ campaign_id: campaign.id, name: 'Ales Bialiatski', status: 'sentenced' }).returning('*');
    const [demand] = await h.database.db('demands').insert({ campaign_id: campaign.id, kind: 'release', text: 'Release Ales', prisoner_id: prisoner.id }).returning('*');
    const base = `/organise/campaigns/${campaign.id}`;

    for (const url of [base, `${base}/demands/new`, `${base}/demands/${demand.id}`, `${base}/prisoners/new`, `${base}/prisoners/${prisoner.id}`]) {
      expect([url, (await intruder.agent.get(url)).status]).toEqual([url, 403]);
    }
    // The intruder's own form gives a valid CSRF token; the target is someone else's campaign.
    const own = await buildCampaign(h.database.db, intruder.user);
    const formPage = `/organise/campaigns/${own.id}`;
    const posts: [string, Record<string, string>][] = [
      [base, { title: 'Hijacked', target_country: 'BY', owner_id: String(intruder.user.id) }],
      [`${base}/demands`, { kind: 'other', text: 'Hijacked demand' }],
      [`${base}/demands/${demand.id}`, { kind: 'other', text: 'Hijacked demand' }],
      [`${base}/demands/${demand.id}/delete`, {}],
      [`${base}/prisoners`, { name: 'Hijacked', status: 'detained' }],
      [`${base}/prisoners/${prisoner.id}`, { name: 'Hijacked', status: 'released' }],
      [`${base}/prisoners/${prisoner.id}/delete`, {}],
      // Its own campaign's address, but a demand of the other campaign: not found there.
      [`/organise/campaigns/${own.id}/demands/${demand.id}`, { kind: 'other', text: 'Hijacked demand' }],
    ];
    for (const [url, fields] of posts) {
      const res = await submitForm(intruder.agent, formPage, url, fields);
      expect([url, res.status]).toEqual([url, url.startsWith(formPage) ? 404 : 403]);
    }
    expect(await h.database.db('campaigns').where({ id: campaign.id }).first()).toMatchObject({ title: 'Owned by the first', owner_id: owner.user.id });
    expect(await h.database.db('demands').where({ campaign_id: campaign.id }).select('text')).toEqual([{ text: 'Release Ales' }]);
    expect(await h.database.db('prisoners').where({ campaign_id: campaign.id }).select('name', 'status')).toEqual([{ name: 'Ales Bialiatski', status: 'sentenced' }]);
    expect(await h.database.db('demands').where({ campaign_id: own.id })).toEqual([]);

    // A prisoner of the other campaign cannot be named in one's own demand either.
    const sneaky = await submitForm(intruder.agent, `${formPage}/demands/new`, `${formPage}/demands`, { kind: 'release', text: 'Release', prisoner_id: String(prisoner.id) });
    expect(sneaky.status).toBe(400);
    expect(sneaky.text).toContain('Unknown prisoner');

    // Someone logged out is sent to log in.
    const anonymous = await request(h.app).get(base);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/);
  });

  test('an admin can edit any campaign', async () => {
    const owner = await organiser();
    const admin = await organiser('admin');
    const campaign = await buildCampaign(h.database.db, owner.user);
    const base = `/organise/campaigns/${campaign.id}`;
    const res = await submitForm(admin.agent, base, base, { title: 'Fixed by the admin', slug: campaign.slug, target_country: 'BY', status: 'active' });
    expect(res.status).toBe(303);
    const row = await h.database.db('campaigns').where({ id: campaign.id }).first();
    expect(row).toMatchObject({ title: 'Fixed by the admin', owner_id: owner.user.id });
  });
});

describe('bad input', () => {
  test('the campaign form comes back with the input and one message per field; nothing is stored', async () => {
    const { user, agent } = await organiser();
    await buildCampaign(h.database.db, user, { slug: 'taken' });
    const before = await count('campaigns');
    const res = await submitForm(agent, '/organise/campaigns/new', '/organise/campaigns', {
      title: '', slug: 'Not A Slug!', description: 'x'.repeat(20_001), target_country: 'XX', slogans: 'ok', language: 'English please', status: 'active',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('This field is required');
    expect(res.text).toContain('Use lower-case letters, digits and hyphens only');
    expect(res.text).toContain('This is too long');
    expect(res.text).toContain('Choose a country');
    expect(res.text).toContain('value="Not A Slug!"');
    expect(res.text).toContain('value="English please"');
    expect(res.text).toContain('There are problems with 5 fields');

    const taken = await submitForm(agent, '/organise/campaigns/new', '/organise/campaigns', { title: 'Another', slug: 'taken', target_country: 'BY', status: 'active' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Another campaign already uses this address');
    expect(taken.text).toContain('value="Another"');
    expect(await count('campaigns')).toBe(before);
  });

  test('demand and prisoner forms reject bad input without storing anything', async () => {
    const { user, agent } = await organiser();
    const campaign = await buildCampaign(h.database.db, user);
    const base = `/organise/campaigns/${campaign.id}`;
    const demand = await submitForm(agent, `${base}/demands/new`, `${base}/demands`, { kind: 'release', text: 'y'.repeat(501), prisoner_id: '999999' });
    expect(demand.status).toBe(400);
    expect(demand.text).toContain('This is too long');
    const unknown = await submitForm(agent, `${base}/demands/new`, `${base}/demands`, { kind: 'release', text: 'Release', prisoner_id: '999999' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Unknown prisoner');
    expect(unknown.text).toContain('>Release</textarea>');
    const missing = await submitForm(agent, `${base}/demands/new`, `${base}/demands`, { kind: 'release', text: '  ' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('This field is required');

    const prisoner = await submitForm(agent, `${base}/prisoners/new`, `${base}/prisoners`, { name: '', status: 'vanished', since: '2020-02-31', story: 'kept' });
    expect(prisoner.status).toBe(400);
    expect(prisoner.text).toContain('This field is required');
    expect(prisoner.text).toContain('This value is not valid');
    expect(prisoner.text).toContain('Enter a date as YYYY-MM-DD');
    expect(prisoner.text).toContain('>kept</textarea>');
    expect(await h.database.db('demands').where({ campaign_id: campaign.id })).toEqual([]);
    expect(await h.database.db('prisoners').where({ campaign_id: campaign.id })).toEqual([]);
  });

  test('Markdown and text from organisers cannot inject scripts into the public page', async () => {
    const user = await buildUser(h.database.db);
    const campaign = await buildCampaign(h.database.db, user, {
      title: '<img src=x onerror=alert(1)>',
      description: 'Hello <script>alert(1)</script> [click](javascript:alert(2)) <b onclick="x()">b</b>',
      slogans: ['<script>alert(3)</script>'],
    });
    await h.database.db('campaigns').where({ id: campaign.id }).update({ language: '"><script>alert(4)</script>' });
    const page = await request(h.app).get(`/campaigns/${campaign.slug}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script>alert/);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).not.toContain('href="javascript:');
    expect(page.text).not.toContain('<b onclick');
    expect(page.text).toContain('&lt;script&gt;alert(3)&lt;/script&gt;');
  });
});
