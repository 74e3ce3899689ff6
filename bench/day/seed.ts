// Pickets for the day-of-action benchmarks: one campaign with demands and prisoners, its pickets in
// cities all over the world (upcoming, a few cancelled, some with a private meeting point), and as
// many more as asked without a campaign.
import type { Knex } from 'knex';

export async function seedPickets(db: Knex, inCampaign: number) {
  const [user] = await db('users').insert({ email: 'bench@picket.test', name: 'Bench', password_hash: 'x', role: 'organiser' }).returning('*');
  const [campaign] = await db('campaigns').insert({
    slug: 'day-of-action', title: 'Free the political prisoners: day of action', target_country: 'BY', owner_id: user.id,
    description: 'On one day, in every capital, outside the embassy.\n\nBring banners, the letter and a friend.',
  }).returning('*');
  const demands = await db('demands').insert(Array.from({ length: 5 }, (_, i) => ({
    campaign_id: campaign.id, kind: i < 3 ? 'release' : 'drop_charges', text: `Release prisoner no. ${i + 1} and drop every charge`, position: i,
  }))).returning('id');
  await db('prisoners').insert(Array.from({ length: 3 }, (_, i) => ({ campaign_id: campaign.id, name: `Prisoner ${i + 1}`, story: 'Detained for a post.', status: 'detained' })));
  const ids = await addPickets(db, 0, inCampaign, user.id, campaign.id, demands.map((d: { id: number }) => d.id));
  return { user, campaign, ids };
}

export async function addPickets(db: Knex, from: number, to: number, owner: number, campaign: number | null, demands: number[]): Promise<number[]> {
  const rows = [];
  const zones = ['Europe/London', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo'];
  for (let i = from; i < to; i++) {
    const start = new Date(Date.now() + (2 + (i % 20)) * 86400_000 + (i % 24) * 3600_000);
    rows.push({
      owner_id: owner, campaign_id: campaign, kind: i % 7 ? 'picket' : 'vigil',
      title: `Picket outside the embassy no. ${i}`, slug: `picket-outside-the-embassy-no-${i}`,
      description: 'Bring **banners** and the letter. Stewards wear orange.', address: `${i} Embassy Row`, city: `City ${i % 500}`,
      country: ['GB', 'DE', 'FR', 'US', 'JP', 'AR'][i % 6],
      latitude: -60 + ((i * 7919) % 13000) / 100, longitude: -180 + ((i * 104729) % 36000) / 100,
      timezone: zones[i % zones.length], starts_at: start, ends_at: new Date(start.getTime() + 7200_000),
      status: i % 50 === 49 ? 'cancelled' : 'published', published_at: new Date(), meeting_point_private: i % 10 === 0,
    });
  }
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const inserted: { id: number }[] = await db('events').insert(rows.slice(i, i + 1000)).returning('id');
    ids.push(...inserted.map((e) => e.id));
    if (demands.length) await db('event_demands').insert(inserted.flatMap((e) => demands.slice(0, 2).map((d) => ({ event_id: e.id, demand_id: d }))));
  }
  return ids;
}
