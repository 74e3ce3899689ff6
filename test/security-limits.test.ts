// Floods and sprays, sent as an attacker would: reset e-mails aimed at one organiser, one password
// tried on many accounts, RSVPs spread over two app processes. Limits live in PostgreSQL.
import request from 'supertest';
import { createHarness, Harness } from './support/harness';
import { buildEvent, buildUser } from './support/factories';

let h: Harness;
beforeAll(async () => {
  // Behind a proxy, so each test can speak from the addresses it chooses.
  h = await createHarness({ env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await h.close();
});

let nextAddress = 1;
/** A browser at its own client address. */
function visitor(address = `198.51.100.${nextAddress++}`) {
  const agent = request.agent(h.app);
  const from = (req: request.Test) => req.set('X-Forwarded-For', address);
  return {
    address,
    get: (path: string) => from(agent.get(path)),
    submit: async (page: string, action: string, fields: Record<string, string>) => {
      const form = await from(agent.get(page));
      const token = /name="_csrf" value="([^"]*)"/.exec(form.text)![1];
      return from(agent.post(action)).type('form').send({ _csrf: token, ...fields });
    },
  };
}

async function resetMailsTo(address: string): Promise<number> {
  await h.runJobs();
  return h.smtp.to(address).filter((m) => m.subject?.includes('password')).length;
}

describe('password resets', () => {
  test('20 requests for one organiser from 20 addresses send only 3 e-mails, and every answer looks the same', async () => {
    const organiser = await buildUser(h.database.db, { email: 'target@picket.test' });
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await visitor().submit('/password/forgot', '/password/forgot', { email: i % 2 ? organiser.email : 'TARGET@picket.test' });
      expect(res.status).toBe(200);
      answers.add(res.text.replace(/name="_csrf" value="[^"]*"/g, ''));
    }
    expect(answers.size).toBe(1);
    expect(await h.database.db('password_resets').where({ user_id: organiser.id }).count({ n: '*' }).first()).toEqual({ n: 3 });
    expect(await resetMailsTo(organiser.email)).toBe(3);
    // An unknown address is counted the same way, so the limit says nothing about who has an account.
    for (let i = 0; i < 5; i++) {
      expect((await visitor().submit('/password/forgot', '/password/forgot', { email: 'nobody@picket.test' })).status).toBe(200);
    }
  });

  test('one address asking again and again is refused after 10 requests, whatever accounts it names', async () => {
    const sender = visitor();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await sender.submit('/password/forgot', '/password/forgot', { email: `someone${i}@picket.test` })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    const last = await sender.submit('/password/forgot', '/password/forgot', { email: 'someone@picket.test' });
    expect(last.text).toContain('Too many password reset requests');
    expect(await h.database.db('rate_limits').select('key').then((rows) => rows.map((r) => r.key).join(' '))).not.toMatch(/picket\.test|198\.51/);
  });
});

describe('log-ins', () => {
  test('one password tried on 20 accounts from one address is refused after 15, even the right one', async () => {
    const accounts = await Promise.all(Array.from({ length: 20 }, (_, i) => buildUser(h.database.db, { email: `spray${i}@picket.test` })));
    const sprayer = visitor();
    const statuses: number[] = [];
    for (const account of accounts) {
      statuses.push((await sprayer.submit('/login', '/login', { email: account.email, password: 'Summer2026!' })).status);
    }
    expect(statuses).toEqual([...Array(15).fill(401), ...Array(5).fill(429)]);
    const right = await sprayer.submit('/login', '/login', { email: accounts[19].email, password: accounts[19].password });
    expect(right.status).toBe(429);
    expect(right.text).toContain('Too many failed attempts to log in');
    expect(await h.database.db('session').count({ n: '*' }).first()).toEqual({ n: 0 });

    // The organiser herself, elsewhere, logs in as usual.
    const owner = visitor();
    expect((await owner.submit('/login', '/login', { email: accounts[19].email, password: accounts[19].password })).status).toBe(303);
  });

  test('successful log-ins from a shared office address do not count', async () => {
    const office = visitor();
    for (let i = 0; i < 20; i++) {
      const user = await buildUser(h.database.db);
      expect((await office.submit('/login', '/login', { email: user.email, password: user.password })).status).toBe(303);
      await office.submit('/organise', '/logout', {});
    }
  });
});

describe('limits shared by every app process', () => {
  test('RSVPs from one address through two processes meet one limit', async () => {
    const config = { ...h.config, RSVP_RATE_LIMIT: 3 };
    const a = h.rebuild({ config });
    const b = h.rebuild({ config });
    const event = await buildEvent(h.database.db, await buildUser(h.database.db));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const app = i % 2 ? b : a;
      const res = await request(app).post(`/events/${event.id}/rsvp`).set('X-Forwarded-For', '203.0.113.9').type('form')
        .send({ name: `P${i}`, email: `p${i}@picket.test` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
    expect(await h.database.db('rsvps').where({ event_id: event.id }).count({ n: '*' }).first()).toEqual({ n: 3 });
  });
});

