// Where the time of a map feed rebuild goes, at 10,000 pickets, in this process (no HTTP): the
// first load, then the refresh after one picket changed, step by step. For bench/README.md's notes.
// Usage: TEST_DATABASE_URL=... npx tsx bench/day/profile-feed.ts
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createDb } from '../../src/db/knex';
import { systemClock } from '../../src/lib/clock';
import * as queries from '../../src/queries/map';
import { MapFeed } from '../../src/services/map';
import { createBenchDatabase, migrateDatabase, runBenchmark } from '../support';
import { seedPickets } from './seed';

runBenchmark(async () => {
  const database = await createBenchDatabase('picket_bench_feed');
  await migrateDatabase(database.url);
  const db = createDb(database.url, 4);
  try {
    const { ids } = await seedPickets(db, 10000);
    const time = async <T>(label: string, fn: () => Promise<T> | T): Promise<T> => {
      const t = performance.now();
      const cpu = process.cpuUsage();
      const result = await fn();
      const used = process.cpuUsage(cpu);
      console.log(`${label.padEnd(48)} ${(performance.now() - t).toFixed(1).padStart(7)} ms, this process's CPU ${((used.user + used.system) / 1000).toFixed(1)} ms`);
      return result;
    };
    const feed = new MapFeed({ db, clock: systemClock }, () => true, 60_000);
    for (let round = 0; round < 3; round++) {
      console.log(`-- round ${round + 1}`);
      await time('first feed (read and serialise all 10,000)', () => feed.body({ now: new Date() }));
      feed.heard('e', ids[round]);
      const body = await time('feed after one picket changed', () => feed.body({ now: new Date() }));
      await time('  of which: its gzip, when asked', () => body.gzip());
      await time('  step: ids of the filter (query)', () => queries.mapPointIds(db, { now: new Date() }));
      await time('  step: one point re-read', () => queries.mapPoints(db, { ids: [ids[round]], now: new Date(0) }));
      await time('  step: sha1 of the JSON', () => crypto.createHash('sha1').update(body.json).digest('base64url'));
      await time('  step: gzip level 6', () => zlib.gzipSync(body.json, { level: 6 }));
      await time('  step: gzip level 1', () => zlib.gzipSync(body.json, { level: 1 }));
      console.log(`  size ${(body.json.length / 1024).toFixed(0)} KB, gzip ${((await body.gzip()).length / 1024).toFixed(0)} KB`);
      feed.reset();
    }
  } finally {
    await db.destroy();
    await database.drop();
  }
});
