// Load benchmark of the public pages: an event page, a campaign page and GET /api/events, each under
// 20 concurrent connections, first on the seeded demo, then with 1,000 more pickets. Reports
// requests per second, p50/p99 latency and the server's peak resident memory (VmHWM).
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:pages
// Settings (env): BENCH_SECONDS (10 per target), BENCH_CONNECTIONS (20), BENCH_STORAGE=bucket (files,
// e.g. the approved photo measured here, in a bucket on a local S3 server instead of disk).
import os from 'node:os';
import autocannon from 'autocannon';
import { createDb } from '../../src/db/knex';
import { runSeed } from '../../src/seed';
import { benchStorage, cleanUp, cpuTimeMs, createBenchDatabase, makeTempDir, memoryMb, migrateDatabase, npmStartNodeFlags, peakRssMb, runBenchmark, startServer } from '../support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

async function hit(url: string, label: string, pid: number) {
  // Warm up (view cache, JIT, connection pool) before measuring.
  await autocannon({ url, connections: CONNECTIONS, duration: 2 });
  const cpuBefore = cpuTimeMs(pid);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  const served = r['2xx'] + r.non2xx;
  return {
    target: label,
    status: `${r['2xx']} ok / ${r.non2xx} other`,
    reqPerSec: Math.round(r.requests.average),
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    // Independent of what else runs on the machine: the server's own CPU time per request.
    serverCpuMsPerReq: served ? Number(((cpuTimeMs(pid) - cpuBefore) / served).toFixed(2)) : null,
  };
}

async function addPickets(db: ReturnType<typeof createDb>, count: number, ownerId: number, campaignId: number | null) {
  const rows = [];
  const start = Date.now() + 86400_000;
  for (let i = 0; i < count; i++) {
    const startsAt = new Date(start + i * 3 * 3600_000);
    rows.push({
      owner_id: ownerId, campaign_id: campaignId, kind: 'picket', title: `Bench picket ${i}`, slug: `bench-picket-${i}`,
      city: `City ${i % 120}`, country: ['GB', 'FR', 'DE', 'PL', 'LT', 'US'][i % 6], latitude: -60 + (i % 120), longitude: -170 + (i % 340),
      timezone: 'Europe/London', starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 2 * 3600_000), status: 'published',
      published_at: new Date(), description: 'Bring **banners** and the prisoners’ names.',
    });
  }
  for (let i = 0; i < rows.length; i += 200) await db('events').insert(rows.slice(i, i + 200));
}

async function main() {
  const database = await createBenchDatabase('picket_bench_pages');
  await migrateDatabase(database.url);
  const db = createDb(database.url, 2);
  const dataDir = makeTempDir('picket-bench-pages-');
  const files = await benchStorage(dataDir);
  const { ctx } = await runSeed({ db, storage: files.storage, seedPassword: 'bench password 123' });

  // npm start's heap flags; BENCH_NODE_FLAGS (e.g. "--max-old-space-size=96") tries other V8 heap limits on the server.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const server = await startServer({
    databaseUrl: database.url, dataDir, nodeArgs: [...npmStartNodeFlags, ...flags, '--import', 'tsx'],
    env: { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '10', ...files.env },
  });
  const { url } = server;
  const results: Record<string, unknown>[] = [];
  try {
    await server.ready();
    const idleRssMb = Math.round(memoryMb(server.pid).rss);
    const event = await db('events').where({ status: 'published' }).orderBy('starts_at', 'desc').first();
    const campaign = await db('campaigns').orderBy('id').first();
    const photo = await db('submissions').where({ status: 'approved', media_type: 'image' }).whereNotNull('storage_key').first();
    // BENCH_ONLY=event|campaign|api|photo measures one target (e.g. to profile it).
    const only = process.env.BENCH_ONLY;
    const targets = (phase: string) => ([
      ['event', `${url}/events/${event.id}-${event.slug}`, `${phase}: event page`],
      ['campaign', `${url}/campaigns/${campaign?.slug ?? 'none'}`, `${phase}: campaign page`],
      ['api', `${url}/api/events`, `${phase}: GET /api/events`],
      ['photo', `${url}/media/${photo?.storage_key}/display`, `${phase}: an approved photo (${files.kind})`],
    ] as const).filter(([name]) => !only || only === name).map(([, target, label]) => [target, label] as const);
    // VmHWM only grows: read after each target, it shows which page pushed the peak up.
    const measure = async (target: string, label: string) => results.push({ ...(await hit(target, label, server.pid)), peakRssSoFarMb: peakRssMb(server.pid) });
    for (const [target, label] of targets('seeded demo')) await measure(target, label);
    await addPickets(db, 1000, ctx.users.organiser1.id, campaign?.id ?? null);
    for (const [target, label] of targets('+1,000 pickets')) await measure(target, label);
    const report = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
      connections: CONNECTIONS, secondsPerTarget: SECONDS,
      storage: files.kind,
      serverNodeFlags: [...npmStartNodeFlags, ...flags].join(' '),
      serverIdleRssMb: idleRssMb,
      serverPeakRssMb: peakRssMb(server.pid),
      loadAverage: os.loadavg().map((l) => l.toFixed(1)).join(' '),
      results,
    };
    console.table(results);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await db.destroy();
    await cleanUp(server, database, dataDir);
    await files.stop();
  }
}

runBenchmark(main);
