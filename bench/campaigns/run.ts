// Load benchmark of the public campaign page and its calendar feed, on the seeded demo and with
// 1,000 more pickets in the campaign: requests per second, p50/p99 latency, the server's peak RSS.
// The server is src/server.ts in production mode on a free port, against a database of its own.
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:campaigns
// Settings (env): BENCH_SECONDS (10), BENCH_CONNECTIONS (20).
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDb } from '../../src/db/knex';
import { diskStorage } from '../../src/lib/storage';
import { runSeed } from '../../src/seed';
import { cleanUp, cpuTimeMs, createBenchDatabase, makeTempDir, peakRssMb, runBenchmark, startServer } from '../support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);

let serverPid = 0;

async function measure(url: string, label: string) {
  const cpuBefore = cpuTimeMs(serverPid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { 'accept-encoding': 'gzip' } });
  const cpuPerRequest = (cpuTimeMs(serverPid) - cpuBefore) / Math.max(1, result.requests.total);
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
  const database = await createBenchDatabase('picket_bench_campaigns');
  const dataDir = makeTempDir('picket-bench-');
  const server = await startServer({ databaseUrl: database.url, dataDir });
  serverPid = server.pid;
  const { url } = server;
  const db = createDb(database.url, 2);
  const rows = [];
  try {
    await server.ready();
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
    await cleanUp(server, database, dataDir);
  }
}

runBenchmark(main);
