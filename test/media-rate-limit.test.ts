import request from 'supertest';
import { createHarness, Harness } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { cameraPhoto, upload } from './support/media';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: { UPLOAD_RATE_LIMIT: '2' } });
});
afterAll(async () => {
  await h.close();
});

test('a flood of uploads from one address is stopped with a clear message, and nothing more is stored', async () => {
  const organiser = await buildUser(h.database.db);
  const event = await buildEvent(h.database.db, organiser, { starts_at: new Date(Date.now() - 3 * 3600_000) });
  const agent = request.agent(h.app);
  const photo = await cameraPhoto();
  expect((await upload(agent, event.id, {}, [{ data: photo }], { json: true })).status).toBe(201);
  expect((await upload(agent, event.id, {}, [{ data: photo }], { json: true })).status).toBe(201);

  const third = await upload(agent, event.id, {}, [{ data: photo }], { json: true });
  expect(third.status).toBe(429);
  expect(third.body.error).toBe('Too many requests. Please wait a few minutes and try again.');
  const page = await upload(agent, event.id, {}, [{ data: photo }]);
  expect(page.status).toBe(429);
  expect(page.text).toContain('You have sent many requests in a short time.');
  expect((await h.database.db('submissions').count({ n: '*' }).first())!.n).toBe(2);
});
