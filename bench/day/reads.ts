// The calm half of bench:day, quickly: the ceiling, then the event page, the campaign page and the
// GeoJSON feed (revalidated) of 1,000 pickets, each read by 20 connections, and the ceiling again.
// For trying a change to the hot path before the full `npm run bench:day`.
// Usage: TEST_DATABASE_URL=... npx tsx bench/day/reads.ts   (BENCH_SECONDS, 5 by default; BENCH_PROFILE)
import autocannon from 'autocannon';
import { createDb } from '../../src/db/knex';
import { cleanUp, cpuTimeMs, npmStartNodeFlags, createBenchDatabase, makeTempDir, runBenchmark, startCeiling, startServer } from '../support';
import { seedPickets } from './seed';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BROWSER = { 'accept-encoding': 'gzip, deflate, br', 'accept-language': 'en-GB,en;q=0.9', accept: 'text/html,application/json' };

/** Throughput, and the server's CPU time per request (less sensitive than req/s to a busy machine). */
async function rate(url: string, pid: number, headers: Record<string, string> = {}) {
  await autocannon({ url, connections: 20, duration: 1, headers: { ...BROWSER, ...headers } });
  const cpu = cpuTimeMs(pid);
  const r = await autocannon({ url, connections: 20, duration: SECONDS, headers: { ...BROWSER, ...headers } });
  const served = r['2xx'] + r.non2xx;
  return { rps: Math.round(r.requests.average), p99: r.latency.p99, bad: r.non2xx - r['3xx'] + r.errors, cpuUs: Math.round(((cpuTimeMs(pid) - cpu) * 1000) / served) };
}

async function main() {
  const database = await createBenchDatabase('picket_bench_reads');
  const dataDir = makeTempDir('picket-bench-reads-');
  // BENCH_PROFILE=<folder>: the server writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE;
  const nodeArgs = profile ? [...npmStartNodeFlags, '--cpu-prof', `--cpu-prof-dir=${profile}`, '--import', 'tsx'] : undefined;
  const server = await startServer({ databaseUrl: database.url, dataDir, nodeArgs });
  const ceilingApp = await startCeiling();
  const db = createDb(database.url, 2);
  try {
    await server.ready();
    const { campaign, ids } = await seedPickets(db, 1000);
    const eventPath = (await fetch(`${server.url}/events/${ids[10]}`, { redirect: 'manual' })).headers.get('location')!;
    const etag = (await fetch(`${server.url}/api/events.geojson`)).headers.get('etag')!;
    const rows: [string, Awaited<ReturnType<typeof rate>>][] = [];
    rows.push(['ceiling', await rate(`${ceilingApp.url}/`, ceilingApp.pid)]);
    rows.push(['event page', await rate(server.url + eventPath, server.pid)]);
    rows.push(['campaign page', await rate(`${server.url}/campaigns/${campaign.slug}`, server.pid)]);
    rows.push(['GeoJSON 304', await rate(`${server.url}/api/events.geojson`, server.pid, { 'if-none-match': etag })]);
    rows.push(['ceiling again', await rate(`${ceilingApp.url}/`, ceilingApp.pid)]);
    const ceiling = Math.min(rows[0][1].rps, rows[4][1].rps);
    const ceilingCpu = Math.max(rows[0][1].cpuUs, rows[4][1].cpuUs);
    for (const [what, r] of rows) {
      console.log(`${what.padEnd(14)} ${String(r.rps).padStart(6)} req/s  ratio ${(r.rps / ceiling).toFixed(2)}  p99 ${r.p99} ms  bad ${r.bad}`
        + `  server CPU ${r.cpuUs} µs/req (ceiling's / this: ${(ceilingCpu / r.cpuUs).toFixed(2)})`);
    }
  } finally {
    await ceilingApp.stop();
    await db.destroy();
    await cleanUp(server, database, dataDir);
  }
}

runBenchmark(main);
