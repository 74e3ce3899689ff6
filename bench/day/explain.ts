// The public pages' queries read with EXPLAIN ANALYZE on the day-of-action data (1,000 pickets in
// one campaign, 9,000 more, RSVPs and uploads), to see that each uses an index. Prints each plan.
// Usage: TEST_DATABASE_URL=... npx tsx bench/day/explain.ts
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex';
import * as campaigns from '../../src/queries/campaigns';
import * as events from '../../src/queries/events';
import * as rsvps from '../../src/queries/rsvps';
import * as submissions from '../../src/queries/submissions';
import { createBenchDatabase, migrateDatabase, runBenchmark } from '../support';
import { addPickets, seedPickets } from './seed';

runBenchmark(async () => {
  const database = await createBenchDatabase('picket_bench_explain');
  await migrateDatabase(database.url);
  const db = createDb(database.url, 2);
  try {
    const { user, campaign, ids } = await seedPickets(db, 1000);
    await addPickets(db, 1000, 10000, user.id, null, []);
    // Past pickets too, so "upcoming" is a real filter.
    await db('events').whereRaw('id % 3 = 0').update({ starts_at: db.raw("starts_at - interval '60 days'"), ends_at: db.raw("ends_at - interval '60 days'") });
    await db('rsvps').insert(ids.slice(0, 200).flatMap((id, i) => Array.from({ length: 20 }, (_, n) => ({
      event_id: id, name: `A ${n}`, email: `a${i}-${n}@example.org`, status: 'going', token: `t-${i}-${n}`,
    }))));
    await db('submissions').insert(ids.slice(0, 500).flatMap((id, i) => [
      { event_id: id, kind: 'photo', storage_key: `k${i}a`.padEnd(32, 'x'), media_type: 'image', status: 'approved' },
      { event_id: id, kind: 'photo', storage_key: `k${i}b`.padEnd(32, 'x'), media_type: 'image', status: i % 10 ? 'approved' : 'pending' },
    ]));
    await db.raw('analyze');
    const explain = async (label: string, q: Knex.QueryBuilder | Promise<unknown>) => {
      const { rows } = await db.raw(`explain (analyze, costs off, timing on) ${(q as Knex.QueryBuilder).toString()}`);
      console.log(`\n-- ${label}\n${rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n')}`);
    };
    const now = new Date();
    await explain('campaign page: demands by campaign', campaigns.listDemands(db, campaign.id));
    await explain('campaign page: prisoners by campaign', campaigns.listPrisoners(db, campaign.id));
    await explain('campaign page: its pickets', campaigns.publicCampaignEventSummaries(db, campaign.id));
    await explain('front page: upcoming pickets by status and end time', events.upcomingEvents(db, now, 30));
    await explain('moderation: pending uploads', submissions.listPending(db, null, { limit: 50, offset: 0 }));
    await explain('event page and counts: RSVPs of a picket', db('rsvps').where({ event_id: ids[5] }).select('status', 'role').count({ n: '*' }).groupBy('status', 'role'));
    await explain('event page: approved media of a picket', submissions.listForEvent(db, ids[5], ['approved']));
    void rsvps;
  } finally {
    await db.destroy();
    await database.drop();
  }
});
