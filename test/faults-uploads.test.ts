// Uploads meet faults: files half-written when the app was killed, and twenty clients who start
// uploads and then trickle their bytes (a slow or hostile network) while someone with a normal
// connection uploads a photo.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { createHarness, Harness } from './support/harness';
import { buildEvent, buildUser } from './support/factories';
import { cameraPhoto, upload } from './support/media';
import { AppProcess, startAppProcess, waitUntil } from './support/app-process';

let h: Harness;
let app: AppProcess;
let eventId: number;
const leftovers = {
  // A photo's file written to a temporary name, the process killed before the rename.
  temporary: 'media/' + 'c'.repeat(32) + '/display.jpg.1a2b3c4d5e6f.tmp',
  // Files of an upload whose database row was never written (and whose claim is long gone).
  orphan: 'media/' + 'd'.repeat(32) + '/display.jpg',
  // An upload being written right now by another process: not to be touched.
  inProgress: 'media/' + 'e'.repeat(32) + '/display.jpg.0f0e0d0c0b0a.tmp',
};
const uploadsDir = () => path.join(h.dataDir, 'uploads');
const exists = (key: string) => fs.existsSync(path.join(uploadsDir(), key));

beforeAll(async () => {
  h = await createHarness();
  const owner = await buildUser(h.database.db);
  eventId = (await buildEvent(h.database.db, owner, { title: 'Picket with a slow network' })).id;
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const key of Object.values(leftovers)) {
    fs.mkdirSync(path.dirname(path.join(uploadsDir(), key)), { recursive: true });
    fs.writeFileSync(path.join(uploadsDir(), key), 'half a photo');
    if (key !== leftovers.inProgress) fs.utimesSync(path.join(uploadsDir(), key), hourAgo, hourAgo);
  }
  app = await startAppProcess({ DATABASE_URL: h.database.url, SMTP_URL: h.smtp.url, DATA_DIR: h.dataDir, UPLOAD_STALL_SECONDS: '2' });
}, 150_000);
afterAll(async () => {
  await app?.crash();
  await h.close();
});

interface SlowClient {
  answer: string;
  closed: boolean;
  stop(): void;
}

/** Sends an upload's headers and the start of its body, then a few bytes a second. */
function slowUpload(url: string, eventId: number): SlowClient {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const client: SlowClient = { answer: '', closed: false, stop: () => socket.destroy() };
  const boundary = 'slowslowslow';
  const start =
    `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nphoto\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  socket.write(
    `POST /events/${eventId}/submissions HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: 5000000\r\n\r\n${start}`,
  );
  const trickle = setInterval(() => socket.writable && socket.write('xxxxxxxxxx'), 250);
  socket.on('data', (chunk) => (client.answer += chunk));
  socket.on('error', () => undefined); // a reset is one way to be turned away
  socket.on('close', () => {
    client.closed = true;
    clearInterval(trickle);
  });
  return client;
}

test('files a crash left half-written or without their row are removed when the app starts again', async () => {
  await waitUntil(() => !exists(leftovers.temporary) && !exists(leftovers.orphan), 'the leftovers are removed');
  expect(exists(leftovers.inProgress)).toBe(true);
});

test('twenty slow uploads do not hold up a normal one: the slow ones lose their slots', async () => {
  const event = { id: eventId };

  const slow = Array.from({ length: 20 }, () => slowUpload(app.url, event.id));
  const photo = await cameraPhoto(1);
  const res = await upload(request.agent(app.url), event.id, { caption: 'From the embassy steps' }, [{ data: photo }], { json: true });
  expect(res.status).toBe(201);
  expect(await h.database.db('submissions').where({ event_id: event.id, status: 'pending' }).count({ n: '*' }).first()).toEqual({ n: 1 });

  // Every slow client was turned away (408, or its connection closed) rather than kept waiting.
  await waitUntil(() => slow.every((c) => c.closed), 'every slow upload was turned away');
  expect(slow.filter((c) => c.answer.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);
  slow.forEach((c) => c.stop());
  expect(app.alive()).toBe(true);
}, 150_000);
