import request from 'supertest';
import { createDb } from '../src/db/knex';
import { redactUrl } from '../src/app';
import { createHarness, Harness, submitForm, logIn } from './support/harness';
import { buildUser } from './support/factories';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('a fresh install', () => {
  test('every page leads to creating the first admin, who is then logged in', async () => {
    const home = await request(h.app).get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/setup');

    const agent = request.agent(h.app);
    const invalid = await submitForm(agent, '/setup', '/setup', { name: '', email: 'not-an-email', password: 'short' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('This field is required');
    expect(invalid.text).toContain('Enter a valid e-mail address');
    expect(invalid.text).toContain('Use at least 10 characters');
    expect(invalid.text).toContain('value="not-an-email"');
    expect(await h.database.db('users').count({ n: '*' }).first()).toEqual({ n: 0 });

    const done = await submitForm(agent, '/setup', '/setup', { name: 'Ada Admin', email: 'Ada@Picket.test', password: 'a long enough password' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/organise');
    const dashboard = await agent.get('/organise');
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('Hello Ada Admin');

    const again = await request(h.app).get('/setup');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/login');
    const admin = await h.database.db('users').first();
    expect(admin.role).toBe('admin');
    expect(admin.email).toBe('ada@picket.test');
    expect(admin.password_hash).toMatch(/^\$argon2id\$/);
  });
});

describe('health', () => {
  test('reports the database reachable', async () => {
    const res = await request(h.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'reachable' });
  });
});

describe('errors', () => {
  test('an unknown address gets a 404 page, or JSON under /api', async () => {
    await buildUser(h.database.db);
    const page = await request(h.app).get('/no/such/page');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Page not found');
    expect(page.headers['content-type']).toMatch(/html/);
    const api = await request(h.app).get('/api/nothing-here');
    expect(api.status).toBe(404);
    expect(api.body.error).toBe('Page not found');
  });

  test('a POST without CSRF token is refused and changes nothing', async () => {
    const user = await buildUser(h.database.db);
    const agent = request.agent(h.app);
    await logIn(agent, user.email, user.password);
    const before = await h.database.db('invites').count({ n: '*' }).first();
    const res = await agent.post('/admin/invites').type('form').send({ email: 'someone@picket.test', role: 'organiser' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
    expect(await h.database.db('invites').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('when the database is unreachable', () => {
  test('health says so with 503, and pages answer 503 "back soon" without internals', async () => {
    const broken = createDb('postgres://nobody@127.0.0.1:1/nothing', 1);
    try {
      const app = h.rebuild({ db: broken });
      const health = await request(app).get('/healthz');
      expect(health.status).toBe(503);
      expect(health.body.database).toBe('unreachable');
      const page = await request(app).get('/login');
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toBe('30');
      expect(page.text).toContain('Picket will be back soon');
      expect(page.text).not.toMatch(/ECONNREFUSED|at \w+ \(/);
    } finally {
      await broken.destroy();
    }
  });
});

describe('request logs', () => {
  test('never record query strings or the secret part of private links', () => {
    expect(redactUrl('/rsvp/abcDEF123_secret')).toBe('/rsvp/…');
    expect(redactUrl('/rsvp/abcDEF123_secret/cancel')).toBe('/rsvp/…/cancel');
    expect(redactUrl('/invite/tok3n')).toBe('/invite/…');
    expect(redactUrl('/password/reset/tok3n?x=1')).toBe('/password/reset/…');
    expect(redactUrl('/events/12-picket?email=someone@example.org')).toBe('/events/12-picket');
  });
});
