// What the day's writes cost the server: RSVPs (20/s) and then photo uploads (1/s) to one picket,
// each alone for BENCH_SECONDS (10), with the server's CPU time per write from /proc.
// BENCH_PROFILE=<folder>: the server writes a V8 CPU profile there when it stops; BENCH_WRITES=RSVP
// (or "photo upload") measures that one alone.
// Usage: TEST_DATABASE_URL=... npx tsx bench/day/writes.ts
import fs from 'node:fs';
import sharp from 'sharp';
import { createDb } from '../../src/db/knex';
import { cleanUp, cpuTimeMs, createBenchDatabase, makeTempDir, npmStartNodeFlags, runBenchmark, startServer } from '../support';
import { seedPickets } from './seed';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** CPU ms so far per thread (BENCH_THREADS=1): which of the server's threads does the work. */
function threads(pid: number): string {
  const byName = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = `${tid === String(pid) ? 'main' : 'thread'} ${tid}`;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    byName.set(name, (byName.get(name) ?? 0) + ms);
  }
  return [...byName].sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n}: ${ms} ms`).join(', ');
}

async function main() {
  const database = await createBenchDatabase('picket_bench_writes');
  const dataDir = makeTempDir('picket-bench-writes-');
  const profile = process.env.BENCH_PROFILE;
  const nodeArgs = profile ? [...npmStartNodeFlags, '--cpu-prof', `--cpu-prof-dir=${profile}`, '--import', 'tsx'] : undefined;
  const server = await startServer({ databaseUrl: database.url, dataDir, nodeArgs, env: { RSVP_RATE_LIMIT: '100000', UPLOAD_RATE_LIMIT: '100000' } });
  const db = createDb(database.url, 2);
  try {
    await server.ready();
    const { ids } = await seedPickets(db, 1000);
    const eventId = ids[10];
    const headers = { origin: server.url };
    const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 80, b: 40 } } }).jpeg().toBuffer();
    let n = 0;
    const rsvp = () => fetch(`${server.url}/events/${eventId}/rsvp`, {
      method: 'POST', redirect: 'manual', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: `Activist ${++n}`, email: `activist-${Date.now()}-${n}@example.org`, role: 'attendee' }),
    });
    const upload = () => {
      const form = new FormData();
      form.set('kind', 'photo');
      form.set('consent', 'on');
      form.set('files', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
      return fetch(`${server.url}/events/${eventId}/submissions`, { method: 'POST', headers, body: form, redirect: 'manual' });
    };
    if (process.env.BENCH_THREADS) console.log(threads(server.pid));
    const idle = cpuTimeMs(server.pid);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    console.log(`idle: server CPU ${((cpuTimeMs(server.pid) - idle) / SECONDS).toFixed(1)} ms per second with no requests`);
    const only = process.env.BENCH_WRITES; // "RSVP" or "photo upload": that one alone
    for (const [what, send, perSecond] of [['RSVP', rsvp, 20], ['photo upload', upload, 1]] as const) {
      if (only && only !== what) continue;
      const cpu = cpuTimeMs(server.pid);
      const sent: Promise<Response>[] = [];
      const timer = setInterval(() => sent.push(send()), 1000 / perSecond);
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      clearInterval(timer);
      const answers = await Promise.all(sent);
      await new Promise((r) => setTimeout(r, 1000)); // work the answers started (notifications, counts)
      const ok = answers.filter((a) => a.status < 400).length;
      if (process.env.BENCH_THREADS) console.log(threads(server.pid));
      console.log(`${what}: ${ok}/${answers.length} accepted, server CPU ${((cpuTimeMs(server.pid) - cpu) / answers.length).toFixed(1)} ms per ${what}`);
    }
  } finally {
    await db.destroy();
    await cleanUp(server, database, dataDir);
  }
}

runBenchmark(main);
