import request from 'supertest';
import { fixedClock } from '../src/lib/clock';
import { createHarness, Harness, submitForm, logIn, linkIn } from './support/harness';
import { buildUser } from './support/factories';
import { startSmtp } from './support/smtp';

let h: Harness;
const clock = fixedClock('2026-12-01T10:00:00Z');
beforeAll(async () => {
  h = await createHarness({ clock, env: { LOGIN_RATE_LIMIT: '4' } });
});
afterAll(async () => {
  await h.close();
});

function mailTo(address: string) {
  const found = h.smtp.to(address);
  expect(found.length).toBeGreaterThan(0);
  return found[found.length - 1];
}

test('an admin invites an organiser, who accepts, logs out and logs in again', async () => {
  const admin = await buildUser(h.database.db, { role: 'admin', name: 'Ada Admin' });
  const adminAgent = request.agent(h.app);
  await logIn(adminAgent, admin.email, admin.password);

  const sent = await submitForm(adminAgent, '/admin/users', '/admin/invites', { email: 'Olga@Example.org', role: 'organiser' });
  expect(sent.status).toBe(303);
  const list = await adminAgent.get('/admin/users');
  expect(list.text).toContain('An invitation is on its way to olga@example.org');

  await h.runJobs();
  const invite = mailTo('olga@example.org');
  expect(invite.subject).toBe('Ada Admin invites you to organise on Picket');
  const link = linkIn(invite.text!, '/invite/');

  const olga = request.agent(h.app);
  const form = await olga.get(link);
  expect(form.status).toBe(200);
  expect(form.text).toContain('olga@example.org');
  const mismatch = await submitForm(olga, link, link, { name: 'Olga', password: 'solidarity forever', confirm: 'something else' });
  expect(mismatch.status).toBe(400);
  expect(mismatch.text).toContain('The two passwords do not match');

  const accepted = await submitForm(olga, link, link, { name: 'Olga', password: 'solidarity forever', confirm: 'solidarity forever' });
  expect(accepted.status).toBe(303);
  expect((await olga.get('/organise')).text).toContain('Hello Olga');
  expect((await olga.get('/admin/users')).status).toBe(403);

  const again = await request(h.app).get(link);
  expect(again.status).toBe(410);
  expect(again.text).toContain('This invitation has already been accepted');

  const loggedOut = await submitForm(olga, '/organise', '/logout', {});
  expect(loggedOut.status).toBe(303);
  expect((await olga.get('/organise')).headers.location).toMatch(/^\/login/);
  await logIn(olga, 'olga@example.org', 'solidarity forever');
  expect((await olga.get('/organise')).status).toBe(200);
});

test('an invitation link stops working after it expires', async () => {
  const admin = await buildUser(h.database.db, { role: 'admin' });
  const agent = request.agent(h.app);
  await logIn(agent, admin.email, admin.password);
  await submitForm(agent, '/admin/users', '/admin/invites', { email: 'late@example.org', role: 'organiser' });
  await h.runJobs();
  const link = linkIn(mailTo('late@example.org').text!, '/invite/');
  clock.advance(73 * 3600_000);
  const res = await request(h.app).get(link);
  expect(res.status).toBe(410);
  expect(res.text).toContain('This invitation has expired');
  clock.set('2026-12-01T10:00:00Z');
});

test('a wrong password is refused with a clear message and no session', async () => {
  const user = await buildUser(h.database.db);
  const agent = request.agent(h.app);
  const res = await submitForm(agent, '/login', '/login', { email: user.email, password: 'not my password' });
  expect(res.status).toBe(401);
  expect(res.text).toContain('That e-mail address and password do not match an account.');
  expect(res.text).toContain(`value="${user.email}"`);
  expect((await agent.get('/organise')).status).toBe(303);
});

test('too many failed logins are slowed down, even with the right password afterwards', async () => {
  const user = await buildUser(h.database.db);
  const agent = request.agent(h.app);
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    statuses.push((await submitForm(agent, '/login', '/login', { email: user.email, password: `wrong ${i}` })).status);
  }
  expect(statuses).toEqual([401, 401, 401, 401]);
  const blocked = await submitForm(agent, '/login', '/login', { email: user.email, password: user.password });
  expect(blocked.status).toBe(429);
  expect(blocked.text).toContain('Too many failed attempts to log in');
  expect((await agent.get('/organise')).status).toBe(303);
});

test('a forgotten password is reset through a one-time e-mail link', async () => {
  const fresh = await createHarness({ clock });
  try {
    const user = await buildUser(fresh.database.db, { name: 'Pavel' });
    const agent = request.agent(fresh.app);
    const unknown = await submitForm(agent, '/password/forgot', '/password/forgot', { email: 'nobody@example.org' });
    const known = await submitForm(agent, '/password/forgot', '/password/forgot', { email: user.email });
    expect(known.status).toBe(200);
    // The same answer either way: nobody can probe which addresses have accounts.
    expect(known.text).toContain('If an account uses that address');
    expect(unknown.text).toContain('If an account uses that address');

    await fresh.runJobs();
    expect(fresh.smtp.to('nobody@example.org')).toHaveLength(0);
    const mail = fresh.smtp.to(user.email)[0];
    expect(mail.subject).toBe('Reset your Picket password');
    const link = linkIn(mail.text!, '/password/reset/');

    const done = await submitForm(agent, link, link, { password: 'a brand new password', confirm: 'a brand new password' });
    expect(done.status).toBe(303);
    expect((await submitForm(agent, '/login', '/login', { email: user.email, password: user.password })).status).toBe(401);
    await logIn(agent, user.email, 'a brand new password');

    const reused = await request(fresh.app).get(link);
    expect(reused.status).toBe(410);
    expect(reused.text).toContain('This link has already been used');
  } finally {
    await fresh.close();
  }
});

test('a session survives a restart of the app (sessions live in PostgreSQL)', async () => {
  const user = await buildUser(h.database.db, { name: 'Restart Rita' });
  const agent = request.agent(h.app);
  const login = await logIn(agent, user.email, user.password);
  const cookie = login.headers['set-cookie'] as unknown as string[];
  const sid = cookie.find((c) => c.startsWith('picket.sid='))!.split(';')[0];

  const restarted = h.rebuild();
  const res = await request(restarted).get('/organise').set('Cookie', sid);
  expect(res.status).toBe(200);
  expect(res.text).toContain('Hello Restart Rita');
});

test('mail queued while the SMTP server is down is delivered once it is up', async () => {
  const fresh = await createHarness();
  try {
    const user = await buildUser(fresh.database.db);
    const port = fresh.smtp.port;
    await fresh.smtp.stop();

    const agent = request.agent(fresh.app);
    await submitForm(agent, '/password/forgot', '/password/forgot', { email: user.email });
    await fresh.runJobs(); // fails: nothing listens on the port
    const [job] = (await fresh.database.db.raw('select attempts, last_error from graphile_worker.jobs')).rows;
    expect(job.attempts).toBe(1);
    expect(job.last_error).toMatch(/ECONNREFUSED/);

    const smtp = await startSmtp(port);
    try {
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the first retry is due after ~2.7 s
      await fresh.runJobs();
      const mail = await smtp.waitFor();
      expect(mail.subject).toBe('Reset your Picket password');
      expect((await fresh.database.db.raw('select count(*)::int as n from graphile_worker.jobs')).rows[0].n).toBe(0);
    } finally {
      await smtp.stop();
    }
  } finally {
    fresh.smtp.stop = async () => {};
    await fresh.close();
  }
});
