// Load benchmark of the public campaign page and its calendar feed, on the seeded demo and with
// 1,000 more pickets in the campaign: requests per second, p50/p99 latency, the server's peak RSS.
// The server is src/server.ts in production mode on a free port, against a database of its own.
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:campaigns
// Settings (env): BENCH_SECONDS (10), BENCH_CONNECTIONS (20).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { withDatabase } from '../../src/db/embedded';
import { createDb } from '../../src/db/knex';
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

/** Peak resident memory of a process so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

let serverPid = 0;

/** CPU time (user + system) the server process has used so far, in ms: less skewed by other work on the machine. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
}

async function measure(url: string, label: string) {
  const cpuBefore = cpuMs(serverPid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { 'accept-encoding': 'gzip' } });
  const cpuPerRequest = (cpuMs(serverPid) - cpuBefore) / Math.max(1, result.requests.total);
  return {
    case: label,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuMsPerReq: Math.round(cpuPerRequest * 100) / 100,
    kbPerReq: Math.round(result.throughput.total / Math.max(1, result.requests.total) / 102.4) / 10,
    peakRssMb: peakRssMb(serverPid),
  };
}

async function main() {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('set TEST_DATABASE_URL (a PostgreSQL server where the bench may create a database)');
  const dbName = 'picket_bench_campaigns';
  await admin(base, `drop database if exists ${dbName} with (force)`);
  await admin(base, `create database ${dbName}`);
  const dbUrl = withDatabase(base, dbName);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'picket-bench-'));
  // One node process (tsx as a loader, not its CLI's child process), so its peak RSS is the server's.
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env, NODE_ENV: 'production', DATABASE_URL: dbUrl, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir,
      LOG_LEVEL: 'warn', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-42', WORKER: 'false',
    },
  });
  serverPid = server.pid!;
  const url = `http://127.0.0.1:${port}`;
  const db = createDb(dbUrl, 2);
  const rows = [];
  try {
    await waitFor(`${url}/healthz`);
    const { ctx } = await runSeed({ db, storage: diskStorage(path.join(dataDir, 'uploads')), seedPassword: 'bench password 1234' });
    const campaign = await db('campaigns').where({ id: ctx.campaigns.belarus }).first();
    const page = `${url}/campaigns/${campaign.slug}`;
    const seeded = await db('events').where({ campaign_id: campaign.id }).count({ n: '*' }).first();
    console.log(`server RSS after start and seed: ${peakRssMb(serverPid)} MB`);
    rows.push(await measure(page, `campaign page, seeded demo (${seeded!.n} pickets)`));
    rows.push(await measure(`${page}.ics`, 'campaign .ics, seeded demo'));

    // 1,000 more published pickets in the campaign, in a hundred cities, half of them past.
    const demands: { id: number }[] = await db('demands').where({ campaign_id: campaign.id });
    const owner = ctx.users.organiser1.id;
    const zones = ['Europe/London', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];
    const events = Array.from({ length: 1000 }, (_, i) => {
      const start = new Date(Date.now() + (i % 2 ? 1 : -1) * ((i % 90) + 1) * 86400_000);
      return {
        owner_id: owner, campaign_id: campaign.id, kind: 'picket', title: `Bench picket ${i}`, slug: `bench-picket-${i}`,
        description: 'Bring the letter.', address: `${i} Embassy Row`, city: `City ${i % 100}`, country: ['GB', 'DE', 'FR', 'US', 'JP', 'AU'][i % 6],
        latitude: 10 + (i % 50), longitude: 10 + (i % 80), timezone: zones[i % zones.length],
        starts_at: start, ends_at: new Date(start.getTime() + 7200_000), status: 'published', published_at: new Date(),
      };
    });
    const inserted: { id: number }[] = await db('events').insert(events).returning('id');
    await db('event_demands').insert(inserted.flatMap((e) => demands.slice(0, 2).map((d) => ({ event_id: e.id, demand_id: d.id }))));
    rows.push(await measure(page, 'campaign page, +1,000 pickets'));
    rows.push(await measure(`${page}.ics`, 'campaign .ics, +1,000 pickets'));
    console.log(`\n${new Date().toISOString()} · ${os.cpus().length} cores (${os.cpus()[0]?.model}) · ${CONNECTIONS} connections · ${SECONDS} s each`);
    console.table(rows);
  } finally {
    await db.destroy();
    await new Promise((r) => setTimeout(r, 1000)); // let autocannon's last requests finish
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await admin(base, `drop database if exists ${dbName} with (force)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
