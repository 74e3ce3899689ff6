// The day of action: 1,000 pickets in one campaign; the event page, the campaign page and the
// GeoJSON feed each read by 20 connections, first with no writes, then while RSVPs arrive at 20/s
// and uploads at 1/s; the machine's ceiling (a bare Express 5 app answering a 1 KB JSON) in the
// same run; then the feed of 10,000 pickets right after a change and unchanged; then all of it
// again with nginx in front as a micro-cache (docs/nginx/picket.conf).
// Usage: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:day
// Settings (env): BENCH_SECONDS (10 per case), BENCH_CONNECTIONS (20), BENCH_NGINX (1; 0 skips nginx).
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import sharp from 'sharp';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex';
import { cleanUp, cpuTimeMs, createBenchDatabase, makeTempDir, peakRssMb, runBenchmark, startCeiling, startServer } from '../support';
import { NGINX, startNginx } from './nginx';
import { addPickets, seedPickets } from './seed';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const BROWSER = { 'accept-encoding': 'gzip, deflate, br', 'accept-language': 'en-GB,en;q=0.9', accept: 'text/html,application/json' };

type Row = { via: string; what: string; writes: string; reqPerSec: number; p50: number; p99: number; responses: string; cpuMsPerReq: number | null };

async function measure(base: string, path: string, via: string, what: string, writes: string, pid: number | null, headers: Record<string, string> = {}): Promise<Row> {
  await autocannon({ url: base + path, connections: CONNECTIONS, duration: 2, headers: { ...BROWSER, ...headers } }); // warm up
  const cpu = pid ? cpuTimeMs(pid) : 0;
  const r = await autocannon({ url: base + path, connections: CONNECTIONS, duration: SECONDS, headers: { ...BROWSER, ...headers } });
  const served = r['2xx'] + r.non2xx;
  return {
    via, what, writes, reqPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99,
    responses: `2xx=${r['2xx']} 3xx=${r['3xx']} other=${r.non2xx - r['3xx']} errors=${r.errors + r.timeouts}`,
    cpuMsPerReq: pid && served ? Number(((cpuTimeMs(pid) - cpu) / served).toFixed(3)) : null,
  };
}

/** RSVPs at 20/s and photo uploads at 1/s to one picket, as from its page, until stopped. */
async function startWrites(base: string, eventPath: string, eventId: number) {
  const page = await fetch(base + eventPath);
  const html = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const headers = { origin: base, ...(cookie ? { cookie } : {}) };
  const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 80, b: 40 } } }).jpeg().toBuffer();
  const counts = { rsvps: 0, rsvpFailed: 0, uploads: 0, uploadFailed: 0 };
  let n = 0;
  const rsvp = setInterval(() => {
    const body = new URLSearchParams({ ...(token ? { _csrf: token } : {}), name: `Activist ${++n}`, email: `activist-${Date.now()}-${n}@example.org`, role: 'attendee' });
    fetch(`${base}/events/${eventId}/rsvp`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' })
      .then((res) => (res.status < 400 ? counts.rsvps++ : counts.rsvpFailed++), () => counts.rsvpFailed++);
  }, 50);
  const upload = setInterval(() => {
    const form = new FormData();
    if (token) form.set('_csrf', token);
    form.set('kind', 'photo');
    form.set('consent', 'on');
    form.set('files', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
    fetch(`${base}/events/${eventId}/submissions`, { method: 'POST', headers, body: form, redirect: 'manual' })
      .then((res) => (res.status < 400 ? counts.uploads++ : counts.uploadFailed++), () => counts.uploadFailed++);
  }, 1000);
  return {
    stop: async () => {
      clearInterval(rsvp);
      clearInterval(upload);
      await new Promise((r) => setTimeout(r, 1500)); // let the last ones finish
      return counts;
    },
  };
}


/** The first request for the feed after each of `samples` changes to one picket (sequential). */
async function afterChange(base: string, db: Knex, ids: number[], samples = 15) {
  const times: number[] = [];
  let sameEtag = 0;
  let etag = (await fetch(`${base}/api/events.geojson`, { headers: { 'accept-encoding': 'gzip' } })).headers.get('etag');
  for (let i = 0; i < samples; i++) {
    await db('events').where({ id: ids[(i * 37) % ids.length] }).update({ title: `Picket outside the embassy, moved ${i}`, updated_at: db.fn.now() });
    await new Promise((r) => setTimeout(r, 20)); // the notification's way to the server (a few ms at most)
    const t = performance.now();
    const res = await fetch(`${base}/api/events.geojson`, { headers: { 'accept-encoding': 'gzip' } });
    await res.arrayBuffer();
    times.push(performance.now() - t);
    if (res.headers.get('etag') === etag) sameEtag++;
    etag = res.headers.get('etag');
  }
  times.sort((a, b) => a - b);
  return { p50: Math.round(times[Math.floor(samples / 2)]), max: Math.round(times[samples - 1]), sameEtag };
}

async function main() {
  const database = await createBenchDatabase('picket_bench_day');
  const dataDir = makeTempDir('picket-bench-day-');
  const server = await startServer({ databaseUrl: database.url, dataDir, env: { RSVP_RATE_LIMIT: '100000', UPLOAD_RATE_LIMIT: '100000'} });
  const ceiling = await startCeiling();
  const db = createDb(database.url, 2);
  const rows: Row[] = [];
  const writeCounts: string[] = [];
  const notes: string[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  try {
    await server.ready();
    const { user, campaign, ids } = await seedPickets(db, 1000);
    const eventId = ids[10];
    const eventPath = (await fetch(`${server.url}/events/${eventId}`, { redirect: 'manual' })).headers.get('location')!;
    const targets = [
      ['event page', eventPath],
      ['campaign page (1,000 pickets)', `/campaigns/${campaign.slug}`],
      ['GeoJSON (1,000 pickets)', '/api/events.geojson'],
    ] as const;

    rows.push(await measure(ceiling.url, '/', 'direct', 'ceiling: bare Express 5, 1 KB JSON', 'none', ceiling.pid));
    const vias: [string, string][] = [['direct', server.url]];
    if (process.env.BENCH_NGINX !== '0' && fs.existsSync(NGINX)) {
      nginx = await startNginx(server.url.replace('http://', ''));
      vias.push(['nginx micro-cache', nginx.url]);
    } else notes.push(`nginx not measured (${NGINX} missing or BENCH_NGINX=0)`);
    for (const [via, base] of vias) {
      const pid = via === 'direct' ? server.pid : null;
      for (const [what, path] of targets) rows.push(await measure(base, path, via, what, 'none', pid));
      for (const [what, path] of targets) {
        const writes = await startWrites(server.url, eventPath, eventId);
        rows.push(await measure(base, path, via, what, 'RSVPs 20/s + uploads 1/s', pid));
        const c = await writes.stop();
        writeCounts.push(`${via}, ${what}: ${c.rsvps} RSVPs (${c.rsvpFailed} failed), ${c.uploads} uploads (${c.uploadFailed} failed)`);
      }
    }
    rows.push(await measure(ceiling.url, '/', 'direct', 'ceiling: bare Express 5, 1 KB JSON (again, at the end)', 'none', ceiling.pid));

    // 10,000 pickets: 9,000 more in other campaigns' places.
    await addPickets(db, 1000, 10000, user.id, null, []);
    const feed = await fetch(`${server.url}/api/events.geojson`, { headers: { 'accept-encoding': 'gzip' } });
    const features = ((await feed.json()) as { features: unknown[] }).features.length;
    if (features !== 10000) throw new Error(`expected 10,000 features, got ${features}`);
    const change = await afterChange(server.url, db, ids);
    const etag = (await fetch(`${server.url}/api/events.geojson`, { headers: { 'accept-encoding': 'gzip' } })).headers.get('etag')!;
    rows.push(await measure(server.url, '/api/events.geojson', 'direct', 'GeoJSON (10,000), unchanged, revalidated (304)', 'none', server.pid, { 'if-none-match': etag }));
    rows.push(await measure(server.url, '/api/events.geojson', 'direct', 'GeoJSON (10,000), unchanged, full body (200 gzip)', 'none', server.pid));
    const writes = await startWrites(server.url, eventPath, eventId);
    rows.push(await measure(server.url, '/api/events.geojson', 'direct', 'GeoJSON (10,000), unchanged, revalidated (304)', 'RSVPs 20/s + uploads 1/s', server.pid, { 'if-none-match': etag }));
    await writes.stop();
    notes.push(`GeoJSON of 10,000 pickets right after a change: p50 ${change.p50} ms, slowest ${change.max} ms (15 changes, sequential;`
      + ` ${change.sameEtag} answers still had the previous ETag)`);
    notes.push(`server peak RSS ${peakRssMb(server.pid)} MB`);

    const machine = `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`;
    console.log(`\n${new Date().toISOString()} — ${machine} — ${SECONDS} s per case, ${CONNECTIONS} connections — load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    console.log('| via | what | writes | req/s | p50 ms | p99 ms | server CPU ms/req | responses |');
    console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | --- |');
    for (const r of rows) console.log(`| ${r.via} | ${r.what} | ${r.writes} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.cpuMsPerReq ?? ''} | ${r.responses} |`);
    console.log('');
    for (const line of [...writeCounts, ...notes]) console.log(`- ${line}`);

    const ok = (r: Row | undefined) => (r && /other=0 errors=0/.test(r.responses) ? r : undefined);
    const find = (via: string, what: string, writes = 'none') => ok(rows.find((r) => r.via === via && r.what.startsWith(what) && (writes === 'none' ? r.writes === 'none' : r.writes !== 'none')));
    const ceil = Math.min(...rows.filter((r) => r.what.startsWith('ceiling')).map((r) => r.reqPerSec));
    const ratio = (r: Row | undefined) => (r ? r.reqPerSec / ceil : 0);
    console.log(`\nCeiling (the lower of its two runs): ${ceil} req/s`);
    const check = (name: string, value: string, pass: boolean) => console.log(`${pass ? 'PASS' : 'BELOW TARGET'}: ${name}: ${value}`);
    for (const [via] of vias) {
      const event = find(via, 'event page'); const campaignPage = find(via, 'campaign page'); const geo = find(via, 'GeoJSON (1,000');
      check(`${via}: event page >= 0.7 of the ceiling`, ratio(event).toFixed(2), ratio(event) >= 0.7);
      check(`${via}: campaign page >= 0.4 of the ceiling`, ratio(campaignPage).toFixed(2), ratio(campaignPage) >= 0.4);
      for (const [what, calm] of [['event page', event], ['campaign page', campaignPage], ['GeoJSON (1,000', geo]] as const) {
        const busy = find(via, what, 'writes');
        const kept = calm && busy ? busy.reqPerSec / calm.reqPerSec : 0;
        check(`${via}: ${what}${what.startsWith('GeoJSON') ? ' pickets)' : ''} with RSVPs keeps >= 0.8 of calm, p99 < 50 ms`, `${kept.toFixed(2)}, p99 ${busy?.p99 ?? '?'} ms`, kept >= 0.8 && (busy?.p99 ?? Infinity) < 50);
      }
    }
    const unchanged = find('direct', 'GeoJSON (10,000), unchanged, revalidated');
    check('GeoJSON of 10,000: p50 < 100 ms right after a change', `${change.p50} ms`, change.p50 < 100);
    check('GeoJSON of 10,000 unchanged (revalidated, as browsers do with max-age=0) >= 0.7 of the ceiling', ratio(unchanged).toFixed(2), ratio(unchanged) >= 0.7);
  } finally {
    await nginx?.stop();
    await ceiling.stop();
    await db.destroy();
    await cleanUp(server, database, dataDir);
  }
}

runBenchmark(main);
