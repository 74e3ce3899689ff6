// Load benchmark of the public pages: an event page, a campaign page and GET /api/events, each under
// 20 concurrent connections, first on the seeded demo, then with 1,000 more pickets. Reports
// requests per second, p50/p99 latency and the server's peak resident memory (VmHWM).
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:pages
// Settings (env): BENCH_SECONDS (10 per target), BENCH_CONNECTIONS (20).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { withDatabase } from '../../src/db/embedded';
import { createDb, migrate } from '../../src/db/knex';
import { migrateJobs } from '../../src/lib/jobs';
import { diskStorage } from '../../src/lib/storage';
import { runSeed } from '../../src/seed';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const root = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function admin(url: string, sql: string) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function waitFor(url: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resident memory of a process in MB (Linux): VmHWM is the peak so far, VmRSS the current. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
}

/** CPU time (user + system) the process has used so far, in ms (Linux; 100 ticks a second). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function hit(url: string, label: string, pid: number) {
  // Warm up (view cache, JIT, connection pool) before measuring.
  await autocannon({ url, connections: CONNECTIONS, duration: 2 });
  const cpuBefore = cpuMs(pid);
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
    serverCpuMsPerReq: served ? Number(((cpuMs(pid) - cpuBefore) / served).toFixed(2)) : null,
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
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('set TEST_DATABASE_URL (a PostgreSQL server where the bench may create a database)');
  const dbName = 'picket_bench_pages';
  await admin(base, `drop database if exists ${dbName} with (force)`);
  await admin(base, `create database ${dbName}`);
  const dbUrl = withDatabase(base, dbName);
  const db = createDb(dbUrl, 2);
  await migrate(db);
  await migrateJobs(dbUrl);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-bench-pages-'));
  const { ctx } = await runSeed({ db, storage: diskStorage(path.join(dataDir, 'uploads')), seedPassword: 'bench password 123' });

  const port = await freePort();
  // node --import tsx: one process, so its memory is the server's.
  // BENCH_NODE_FLAGS (e.g. "--max-old-space-size=96") tries V8 heap limits on the server.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const server = spawn(process.execPath, [...flags, '--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env, NODE_ENV: 'production', DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir,
      LOG_LEVEL: 'warn', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-42', WORKER: 'false',
      DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '10',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const results: Record<string, unknown>[] = [];
  try {
    await waitFor(`${url}/healthz`);
    const idleRssMb = rssMb(server.pid!, 'VmRSS');
    const event = await db('events').where({ status: 'published' }).orderBy('starts_at', 'desc').first();
    const campaign = await db('campaigns').orderBy('id').first();
    // BENCH_ONLY=event|campaign|api measures one target (e.g. to profile it).
    const only = process.env.BENCH_ONLY;
    const targets = (phase: string) => ([
      ['event', `${url}/events/${event.id}-${event.slug}`, `${phase}: event page`],
      ['campaign', `${url}/campaigns/${campaign?.slug ?? 'none'}`, `${phase}: campaign page`],
      ['api', `${url}/api/events`, `${phase}: GET /api/events`],
    ] as const).filter(([name]) => !only || only === name).map(([, target, label]) => [target, label] as const);
    // VmHWM only grows: read after each target, it shows which page pushed the peak up.
    const measure = async (target: string, label: string) => results.push({ ...(await hit(target, label, server.pid!)), peakRssSoFarMb: rssMb(server.pid!) });
    for (const [target, label] of targets('seeded demo')) await measure(target, label);
    await addPickets(db, 1000, ctx.users.organiser1.id, campaign?.id ?? null);
    for (const [target, label] of targets('+1,000 pickets')) await measure(target, label);
    const report = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
      connections: CONNECTIONS, secondsPerTarget: SECONDS,
      serverNodeFlags: flags.join(' '),
      serverIdleRssMb: idleRssMb,
      serverPeakRssMb: rssMb(server.pid!),
      loadAverage: os.loadavg().map((l) => l.toFixed(1)).join(' '),
      results,
    };
    console.table(results);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    server.kill('SIGTERM');
    await db.destroy();
    await new Promise((r) => server.once('exit', r));
    await admin(base, `drop database if exists ${dbName} with (force)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
