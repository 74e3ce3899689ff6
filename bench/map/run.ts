// Load benchmark of GET /api/events.geojson with 1,000 and 10,000 seeded pickets, against a real
// server (src/server.ts, production mode) and database: requests per second and p50/p99 latency
//   - with a matching ETag (If-None-Match: 304, no body),
//   - without one, served from the in-memory cache of the serialised feed (gzip),
//   - uncached: every request has a new bbox (covering the whole world), so no response is cached:
//     the server queries the matching ids, joins the points' cached JSON and gzips each time;
//     measured with 1 and with 10 connections,
//   - cold, after a change: a picket is updated before each request, so the server also reads,
//     presents and serialises every point again (sequential requests, 15 samples).
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:map
// Settings (env): BENCH_SECONDS (10), BENCH_CONNECTIONS (10).
import os from 'node:os';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex';
import { cleanUp, createBenchDatabase, makeTempDir, runBenchmark, startServer } from '../support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** Pickets in capitals-like places all over the world, a third past, two demands each, a few private. */
async function seed(db: Knex, from: number, to: number, owner: number, campaign: number, demands: number[]) {
  const rows = [];
  for (let i = from; i < to; i++) {
    const start = new Date(Date.now() + (i % 3 === 0 ? -1 : 1) * ((i % 60) + 1) * 86400_000);
    rows.push({
      owner_id: owner, campaign_id: i % 4 ? campaign : null, kind: i % 7 ? 'picket' : 'vigil',
      title: `Picket outside the embassy no. ${i}`, slug: `picket-outside-the-embassy-no-${i}`,
      description: 'Bring banners and the letter.', address: `${i} Embassy Row`, city: `City ${i % 500}`, country: ['GB', 'DE', 'FR', 'US', 'JP', 'AR'][i % 6],
      latitude: -60 + ((i * 7919) % 13000) / 100, longitude: -180 + ((i * 104729) % 36000) / 100,
      timezone: 'Europe/London', starts_at: start, ends_at: new Date(start.getTime() + 7200_000),
      status: i % 50 === 0 ? 'cancelled' : 'published', published_at: new Date(), meeting_point_private: i % 10 === 0,
    });
  }
  for (let i = 0; i < rows.length; i += 1000) {
    const inserted: { id: number }[] = await db('events').insert(rows.slice(i, i + 1000)).returning('id');
    await db('event_demands').insert(inserted.flatMap((e) => demands.map((d) => ({ event_id: e.id, demand_id: d }))));
  }
}

type Row = { pickets: number; case: string; connections: number; reqPerSec: number; p50: number; p99: number; status: string; kbPerReq: number };

async function measure(url: string, label: string, pickets: number, connections: number, options: { etag?: string; vary?: boolean; path?: string }): Promise<Row> {
  let n = 0;
  const headers: Record<string, string> = { 'accept-encoding': 'gzip' };
  if (options.etag) headers['if-none-match'] = options.etag;
  const result = await autocannon({
    url, connections, duration: SECONDS,
    requests: [{
      method: 'GET', path: options.path ?? '/api/events.geojson', headers,
      // A bbox covering the whole world, but new each time: the server cannot reuse an answer.
      ...(options.vary ? { setupRequest: (req: { path?: string }) => ({ ...req, path: `/api/events.geojson?bbox=-180,-90,180,${(90 - ++n / 1e7).toFixed(7)}` }) } : {}),
    }],
  });
  const statuses = `2xx=${result['2xx']} 3xx=${result['3xx']} other=${result.non2xx - result['3xx']} errors=${result.errors}`;
  return {
    pickets, case: label, connections, reqPerSec: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99,
    status: statuses, kbPerReq: Math.round(result.throughput.total / Math.max(1, result.requests.total) / 102.4) / 10,
  };
}

/** Latency of the first request after each of `samples` changes to the data. */
async function afterChange(url: string, db: Knex, pickets: number, samples = 15): Promise<Row> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    await db('events').where('id', db('events').min('id')).update({ title: `Picket outside the embassy, changed ${i}` });
    const t = performance.now();
    const res = await fetch(`${url}/api/events.geojson`, { headers: { 'accept-encoding': 'gzip' } });
    await res.arrayBuffer();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const pick = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]);
  return { pickets, case: 'cold, after a change (200, gzip)', connections: 1, reqPerSec: Math.round(1000 / (times.reduce((a, b) => a + b, 0) / samples)), p50: pick(0.5), p99: pick(0.99), status: `${samples} sequential`, kbPerReq: 0 };
}

async function main() {
  const database = await createBenchDatabase('picket_bench_map');
  const dataDir = makeTempDir('picket-bench-');
  const server = await startServer({ databaseUrl: database.url, dataDir });
  const { url } = server;
  const db = createDb(database.url, 2);
  const rows: Row[] = [];
  try {
    await server.ready();
    const [user] = await db('users').insert({ email: 'bench@picket.test', name: 'Bench', password_hash: 'x', role: 'organiser' }).returning('*');
    const [campaign] = await db('campaigns').insert({ slug: 'bench', title: 'Bench campaign', target_country: 'BY', owner_id: user.id }).returning('*');
    const demands = (await db('demands').insert([
      { campaign_id: campaign.id, kind: 'release', text: 'Release all political prisoners now' },
      { campaign_id: campaign.id, kind: 'drop_charges', text: 'Drop the charges against the strikers' },
    ]).returning('id')).map((d: { id: number }) => d.id);
    let seeded = 0;
    for (const pickets of [1000, 10000]) {
      await seed(db, seeded, pickets, user.id, campaign.id, demands);
      seeded = pickets;
      const first = await fetch(`${url}/api/events.geojson`, { headers: { 'accept-encoding': 'gzip' } });
      const body = (await first.json()) as { features: unknown[] };
      if (body.features.length !== pickets) throw new Error(`expected ${pickets} features, got ${body.features.length}`);
      const etag = first.headers.get('etag')!;
      // Calibration on a shared machine: the cheapest request with a database round trip.
      if (pickets === 1000) rows.push(await measure(url, 'baseline: GET /healthz (one "select 1")', pickets, CONNECTIONS, { path: '/healthz' }));
      rows.push(await measure(url, 'matching ETag (304)', pickets, CONNECTIONS, { etag }));
      rows.push(await measure(url, 'no ETag, cached body (200, gzip)', pickets, CONNECTIONS, {}));
      rows.push(await measure(url, 'uncached (200, gzip)', pickets, 1, { vary: true }));
      rows.push(await measure(url, 'uncached (200, gzip)', pickets, CONNECTIONS, { vary: true }));
      rows.push(await afterChange(url, db, pickets));
    }
  } finally {
    await db.destroy();
    await cleanUp(server, database, dataDir);
  }
  const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`;
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`\n${new Date().toISOString()} — ${machine} — ${SECONDS} s per case — load average at the end: ${load}\n`);
  console.log('| pickets | case | connections | req/s | p50 ms | p99 ms | KB/response | responses |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) console.log(`| ${r.pickets} | ${r.case} | ${r.connections} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.kbPerReq} | ${r.status} |`);
  const found = (p: number, c: string, conn?: number) => rows.find((r) => r.pickets === p && r.case.startsWith(c) && (conn === undefined || r.connections === conn))!;
  // A case with failed requests meets no target.
  const at = (p: number, c: string, conn?: number) => {
    const row = found(p, c, conn);
    return /other=0 errors=0|sequential/.test(row.status) && row.reqPerSec > 0 ? row : { ...row, reqPerSec: 0, p50: Infinity };
  };
  const targets = [
    ['1,000 pickets >= 1,000 req/s (no ETag, cached body)', at(1000, 'no ETag').reqPerSec >= 1000],
    ['1,000 pickets >= 1,000 req/s (matching ETag)', at(1000, 'matching').reqPerSec >= 1000],
    ['10,000 pickets p50 < 100 ms uncached (1 connection)', at(10000, 'uncached', 1).p50 < 100],
    ['10,000 pickets p50 < 100 ms cold, after a change', found(10000, 'cold').p50 < 100],
  ] as const;
  for (const [name, ok] of targets) console.log(`${ok ? 'PASS' : 'BELOW TARGET'}: ${name}`);
}

runBenchmark(main);
