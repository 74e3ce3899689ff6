// Upload benchmark: 20 participants send a 5 MB photo at the same moment (then a longer run),
// against a real server and database. Reports throughput and the server's peak memory (VmHWM),
// whose target is under 300 MB.
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:upload
// Settings (env): BENCH_CONNECTIONS (20), BENCH_UPLOADS (20, first round), BENCH_SUSTAINED (60, second round),
// BENCH_STORAGE=bucket (files to a bucket on a local S3 server instead of disk).
import crypto from 'node:crypto';
import os from 'node:os';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { createDb } from '../../src/db/knex';
import { benchStorage, cleanUp, createBenchDatabase, makeTempDir, memoryMb, runBenchmark, startServer } from '../support';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 20);
const SUSTAINED = Number(process.env.BENCH_SUSTAINED ?? 60);

/** A 12-megapixel phone-like photo of about 5 MB: a gradient with grain, so it compresses like a real one. */
async function fiveMegabytePhoto(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const raw = Buffer.alloc(width * height * 3);
  let seed = 42;
  for (let i = 0; i < raw.length; i += 3) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const grain = (seed >> 16) % 48;
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    raw[i] = (x / width) * 200 + grain;
    raw[i + 1] = (y / height) * 180 + grain;
    raw[i + 2] = 120 + grain;
  }
  for (const quality of [80, 75, 70, 85, 90]) {
    const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
    if (jpeg.length >= 4.5e6 && jpeg.length <= 6e6) return jpeg;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

function multipart(boundary: string, token: string, photo: Buffer): Buffer {
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return Buffer.concat([
    Buffer.from(field('_csrf', token) + field('kind', 'photo') + field('consent', 'on') + field('caption', 'Bench')),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

async function round(url: string, headers: Record<string, string>, body: Buffer, amount: number) {
  const started = Date.now();
  const result = await autocannon({ url, method: 'POST', headers, body, connections: Math.min(CONNECTIONS, amount), amount, timeout: 300 });
  const seconds = (Date.now() - started) / 1000;
  return {
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    seconds,
    uploadsPerSecond: amount / seconds,
    mbPerSecond: (amount * body.length) / 1e6 / seconds,
    latencyP50: result.latency.p50,
    latencyMax: result.latency.max,
  };
}

async function main() {
  const database = await createBenchDatabase('picket_bench_upload');
  const dataDir = makeTempDir('picket-bench-upload-');
  const files = await benchStorage(dataDir);
  const server = await startServer({ databaseUrl: database.url, dataDir, env: { UPLOAD_MAX_MB: '15', UPLOAD_RATE_LIMIT: '100000', ...files.env } });
  const { url } = server;
  const db = createDb(database.url, 2);
  try {
    await server.ready();
    const [user] = await db('users').insert({ email: 'bench@picket.test', name: 'Bench', password_hash: 'x', role: 'organiser' }).returning('*');
    const startsAt = new Date(Date.now() - 3 * 3600_000);
    const [event] = await db('events').insert({
      owner_id: user.id, title: 'Bench picket', slug: 'bench-picket', city: 'London', country: 'GB', latitude: 51.5, longitude: -0.19,
      timezone: 'Europe/London', starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 7200_000), status: 'published', published_at: new Date(),
    }).returning('*');

    const photo = await fiveMegabytePhoto();
    const page = await fetch(`${url}/events/${event.id}/upload`);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const boundary = `----picketbench${crypto.randomBytes(8).toString('hex')}`;
    const body = multipart(boundary, token, photo);
    const headers = { cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'application/json' };

    const idle = memoryMb(server.pid);
    let sampledPeak = 0;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, memoryMb(server.pid).rss);
    }, 50);
    const burst = await round(`${url}/events/${event.id}/submissions`, headers, body, UPLOADS);
    const afterBurst = memoryMb(server.pid);
    const sustained = SUSTAINED ? await round(`${url}/events/${event.id}/submissions`, headers, body, SUSTAINED) : null;
    clearInterval(sampler);
    const end = memoryMb(server.pid);
    const stored = Number((await db('submissions').count({ n: '*' }).first())!.n);
    const filesStored = (await files.storage.list('media/')).length;

    const report = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(os.totalmem() / 1e9)} GB, node ${process.version}`,
      photo: `${(photo.length / 1e6).toFixed(2)} MB JPEG, 4000 x 3000`,
      storage: files.kind,
      burst: { uploads: UPLOADS, connections: Math.min(CONNECTIONS, UPLOADS), ...burst, peakRssMb: afterBurst.peak },
      sustained: sustained && { uploads: SUSTAINED, connections: Math.min(CONNECTIONS, SUSTAINED), ...sustained },
      serverMemoryMb: { idle: idle.rss, peakRss: end.peak, sampledPeakRss: sampledPeak },
      stored,
      filesStored,
      target: 'peak RSS < 300 MB',
      met: end.peak < 300 && burst.failed === 0 && (!sustained || sustained.failed === 0),
    };
    console.log(JSON.stringify(report, null, 2));
    if (!report.met) process.exitCode = 1;
  } finally {
    await db.destroy();
    await cleanUp(server, database, dataDir);
    await files.stop();
  }
}

runBenchmark(main);
