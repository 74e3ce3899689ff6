// Demo open call (issue 17): the demo campaign takes proposals from local groups, and two of them
// wait in the organisers' queue (verified, not yet decided). Idempotent: found again by title.
import { DateTime } from 'luxon';
import type { SeedContext } from './context';

const PROPOSALS = [
  { title: 'Picket for the Five in Bratislava', host: 'Bratislava Solidarity', email: 'bratislava.host@picket.test', city: 'Bratislava', country: 'SK',
    latitude: 48.1486, longitude: 17.1077, timezone: 'Europe/Bratislava', address: 'Palisády 47', description: 'Candles and the names of the prisoners, read aloud.' },
  { title: 'Vigil outside the embassy in Dublin', host: 'Dublin Friends of the Five', email: 'dublin.host@picket.test', city: 'Dublin', country: 'IE',
    latitude: 53.3331, longitude: -6.2489, timezone: 'Europe/Dublin', address: 'Upper Leeson Street', description: 'A silent vigil with portraits.' },
];

export async function seedProposals(ctx: SeedContext): Promise<void> {
  const campaignId = Object.values(ctx.campaigns)[0];
  if (!campaignId) return;
  await ctx.db('campaigns').where({ id: campaignId }).update({ proposals_open: true });
  // On the coming day of action: the date of the campaign's next picket, at noon in each city.
  const next = await ctx.db('events').where({ campaign_id: campaignId }).where('starts_at', '>', ctx.now).orderBy('starts_at').first('starts_at');
  const day = DateTime.fromJSDate(next?.starts_at ?? new Date(ctx.now.getTime() + 14 * 86400_000), { zone: 'UTC' });
  let added = 0;
  for (const p of PROPOSALS) {
    if (await ctx.db('proposals').where({ campaign_id: campaignId, title: p.title }).first('id')) continue;
    const { rows } = await ctx.db.raw(
      `insert into hosts (campaign_id, email, name, verified_at) values (?, ?, ?, ?)
       on conflict (campaign_id, lower(email)) do update set name = excluded.name returning id`,
      [campaignId, p.email, p.host, ctx.now],
    );
    const startsAt = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: 12 }, { zone: p.timezone });
    await ctx.db('proposals').insert({
      campaign_id: campaignId, host_id: rows[0].id, status: 'proposed', title: p.title, description: p.description, address: p.address,
      city: p.city, country: p.country, latitude: p.latitude, longitude: p.longitude, timezone: p.timezone,
      starts_at: startsAt.toJSDate(), ends_at: startsAt.plus({ hours: 2 }).toJSDate(), verified_at: ctx.now, locale: 'en',
    });
    added += 1;
  }
  ctx.log(added ? `open call for local hosts: on, ${added} proposals waiting for the organisers: added` : 'open call for local hosts and its proposals: there already');
}
