// Burst benchmark of the RSVP form: many simultaneous POST /events/:id/rsvp with unique e-mails
// against a real server and database, then a check that the picket never went over capacity.
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:rsvp
// Settings (env): BENCH_REQUESTS (5000), BENCH_CONNECTIONS (10), BENCH_CAPACITY (1000).
import os from 'node:os';
import autocannon from 'autocannon';
import { createDb } from '../../src/db/knex';
import { cleanUp, cpuTimeMs, createBenchDatabase, makeTempDir, npmStartNodeFlags, runBenchmark, startServer } from '../support';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 1000);

/** CPU seconds (user + system) a process has used so far, or 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    return cpuTimeMs(pid) / 1000;
  } catch {
    return 0; // gone, or not Linux
  }
}

async function main() {
  const database = await createBenchDatabase('picket_bench_rsvp');
  const dbName = database.name;
  const dataDir = makeTempDir('picket-bench-');
  // BENCH_PROFILE=dir writes a CPU profile of the server there, to see where the time goes.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const server = await startServer({
    databaseUrl: database.url, dataDir, nodeArgs: [...npmStartNodeFlags, ...profile, '--import', 'tsx'],
    env: { RSVP_RATE_LIMIT: '100000', DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '20' },
  });
  const { url } = server;
  const db = createDb(database.url, 2);
  try {
    await server.ready();
    const [user] = await db('users').insert({ email: 'bench@picket.test', name: 'Bench', password_hash: 'x', role: 'organiser' }).returning('*');
    const startsAt = new Date(Date.now() + 7 * 86400_000);
    const newEvent = async (title: string) => (await db('events').insert({
      owner_id: user.id, title, slug: 'bench-picket', city: 'London', country: 'GB', latitude: 51.5, longitude: -0.19,
      timezone: 'Europe/London', starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 7200_000), status: 'published',
      published_at: new Date(), capacity: CAPACITY, waitlist_enabled: true,
    }).returning('*'))[0];
    const warmup = await newEvent('Warm-up picket');
    const event = await newEvent('Bench picket');

    // One anonymous CSRF token and its cookie, reused by every request (it is bound to the cookie).
    const form = await fetch(`${url}/events/${event.id}/rsvp`);
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];

    let n = 0;
    const burst = (eventId: number, amount: number) => autocannon({
      url,
      connections: CONNECTIONS,
      amount,
      requests: [{
        method: 'POST',
        path: `/events/${eventId}/rsvp`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        setupRequest: (req) => {
          n += 1; // a new e-mail for every request: each one is a new RSVP
          return { ...req, body: new URLSearchParams({ _csrf: csrf, name: `Bench ${n}`, email: `bench${n}@picket.test`, role: 'attendee' }).toString() };
        },
      }],
    });
    await burst(warmup.id, 500); // JIT, pools and template caches warm, as on a running server
    const loadBefore = Number(os.loadavg()[0].toFixed(1));
    // CPU used by the server, the database backends of this database and the load generator: less
    // skewed by other work on the machine than wall-clock figures.
    const backends = async () => (await db.raw('select pid from pg_stat_activity where datname = ? and pid <> pg_backend_pid()', [dbName])).rows.map((r: { pid: number }) => r.pid) as number[];
    const pids = await backends();
    const cpuBefore = { server: cpuSeconds(server.pid), db: pids.map(cpuSeconds), bench: process.cpuUsage() };
    const result = await burst(event.id, REQUESTS);
    const serverCpu = cpuSeconds(server.pid) - cpuBefore.server;
    const dbCpu = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - cpuBefore.db[i], 0);
    const benchUsage = process.cpuUsage(cpuBefore.bench);
    const benchCpu = (benchUsage.user + benchUsage.system) / 1e6;

    const counts = Object.fromEntries(
      (await db('rsvps').where({ event_id: event.id }).select('status').count<{ status: string; n: number }[]>({ n: '*' }).groupBy('status')).map((r) => [r.status, Number(r.n)]),
    );
    const ok = result['3xx'];
    const seconds = result.duration;
    const report = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
      // Other work on the machine skews the figures: the 1-minute load average says how much.
      loadAverageBefore: loadBefore,
      loadAverageAfter: Number(os.loadavg()[0].toFixed(1)),
      requests: REQUESTS, connections: CONNECTIONS, capacity: CAPACITY,
      rsvpsPerSecond: Math.round(ok / seconds),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      non3xx: result.non2xx - ok + result['2xx'], errors: result.errors, timeouts: result.timeouts,
      stored: counts,
      cpuMsPerRsvp: {
        server: Number(((serverCpu * 1000) / result['3xx']).toFixed(2)),
        database: Number(((dbCpu * 1000) / result['3xx']).toFixed(2)),
        loadGenerator: Number(((benchCpu * 1000) / result['3xx']).toFixed(2)),
      },
      neverOverCapacity: (counts.going ?? 0) <= CAPACITY,
      everyRsvpStored: (counts.going ?? 0) + (counts.waitlisted ?? 0) === ok,
    };
    console.log(JSON.stringify(report, null, 2));
    const pass = report.neverOverCapacity && report.everyRsvpStored && report.rsvpsPerSecond >= 500 && result.latency.p99 < 200;
    console.log(pass ? 'PASS: >= 500 RSVPs/s, p99 < 200 ms, never over capacity' : 'BELOW TARGET (>= 500 RSVPs/s, p99 < 200 ms, never over capacity)');
    process.exitCode = report.neverOverCapacity && report.everyRsvpStored ? 0 : 1;
  } finally {
    await db.destroy();
    await cleanUp(server, database, dataDir);
  }
}

runBenchmark(main);
