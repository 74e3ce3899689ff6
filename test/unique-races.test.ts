// Two organisers saving the same campaign address (or two admins the same place) at the same
// moment: the one who is second gets the form back with a message, never a server error.
import request from 'supertest';
import { buildUser } from './support/factories';
import { createHarness, csrfFrom, Harness, logIn } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function signedIn(role: 'organiser' | 'admin') {
  const user = await buildUser(h.database.db, { role });
  const agent = request.agent(h.app);
  await logIn(agent, user.email, user.password);
  return { user, agent };
}

/**
 * Runs `save` while another organiser's insert of `row` into `table` is under way (not yet
 * committed, so no check can see it), then commits that insert: `save` meets it at the unique index.
 */
async function whileAnotherSaves(table: string, row: Record<string, unknown>, save: () => request.Test) {
  const trx = await h.database.db.transaction();
  await trx(table).insert(row);
  const pending = save().then((res) => res); // supertest sends on then()
  // The request runs its checks (which cannot see the uncommitted row) and reaches its insert,
  // which waits on the unique index for the other transaction: wait until it does.
  for (let waited = 0; ; waited += 50) {
    const { rows } = await h.database.db.raw(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    if (rows[0].n > 0) break;
    if (waited > 15_000) throw new Error('the request never reached its insert');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await trx.commit();
  return pending;
}

test('two organisers creating the same campaign address: the second is told it is taken', async () => {
  const first = await signedIn('organiser');
  const second = await signedIn('organiser');
  const form = await second.agent.get('/organise/campaigns/new');
  const res = await whileAnotherSaves(
    'campaigns',
    { slug: 'free-them-now', title: 'Free them now', description: '', target_country: 'BY', slogans: [], owner_id: first.user.id },
    () => second.agent.post('/organise/campaigns').type('form').send({
      _csrf: csrfFrom(form.text), title: 'Free them all', slug: 'free-them-now', target_country: 'BY', status: 'active',
    }),
  );
  expect(res.status).toBe(400);
  expect(res.text).toContain('Another campaign already uses this address');
  expect(res.text).toContain('value="Free them all"');
  expect(await h.database.db('campaigns').where({ slug: 'free-them-now' }).pluck('title')).toEqual(['Free them now']);
});

test('a slug made from the title moves on to the next free one instead', async () => {
  const first = await signedIn('organiser');
  const second = await signedIn('organiser');
  const form = await second.agent.get('/organise/campaigns/new');
  const res = await whileAnotherSaves(
    'campaigns',
    { slug: 'solidarity-with-minsk', title: 'Solidarity with Minsk', description: '', target_country: 'BY', slogans: [], owner_id: first.user.id },
    () => second.agent.post('/organise/campaigns').type('form').send({
      _csrf: csrfFrom(form.text), title: 'Solidarity with Minsk', slug: '', target_country: 'BY', status: 'active',
    }),
  );
  expect(res.status).toBe(303);
  expect((await h.database.db('campaigns').where({ owner_id: second.user.id }).first()).slug).toBe('solidarity-with-minsk-2');
});

test('two admins adding the same embassy: the second is told it exists', async () => {
  const admin = await signedIn('admin');
  const form = await admin.agent.get('/admin/venues/new');
  const place = { kind: 'embassy', name: 'Embassy of Belarus', address: 'Am Treptower Park 32', city: 'Berlin', country: 'DE', latitude: 52.49, longitude: 13.47, timezone: 'Europe/Berlin' };
  const res = await whileAnotherSaves('venues', place, () =>
    admin.agent.post('/admin/venues').type('form').send({
      _csrf: csrfFrom(form.text), ...place, latitude: '52.49', longitude: '13.47', represents: 'BY',
    }),
  );
  expect(res.status).toBe(400);
  expect(res.text).toContain('A place with this name already exists in this city');
  expect(await h.database.db('venues').where({ name: 'Embassy of Belarus', city: 'Berlin' })).toHaveLength(1);
});
