// Demo pickets: one day of action already held and one coming up, outside the seeded embassies in
// a dozen capitals, each at noon local time, owned by the two demo organisers. Idempotent: an event
// is found again by its title and only created when missing.
import { DateTime } from 'luxon';
import type { ActionStatus, EventRow, VenueRow } from '../db/tables';
import { slugify } from '../services/events';
import type { SeedContext } from './context';

type Place = Pick<EventRow, 'venue_id' | 'address' | 'city' | 'country' | 'latitude' | 'longitude' | 'timezone'>;

// Used only when the campaigns step has seeded no venues: the same capitals, without a directory entry.
const FALLBACK: Place[] = [
  ['London', 'GB', 51.5009, -0.1887, 'Europe/London', '6 Kensington Court'],
  ['Paris', 'FR', 48.8663, 2.3183, 'Europe/Paris', '38 Boulevard Suchet'],
  ['Berlin', 'DE', 52.5163, 13.3777, 'Europe/Berlin', 'Am Treptower Park 32'],
  ['Warsaw', 'PL', 52.2203, 21.0291, 'Europe/Warsaw', 'ul. Wiertnicza 58'],
  ['Vilnius', 'LT', 54.6872, 25.2797, 'Europe/Vilnius', 'Mindaugo g. 13'],
  ['Riga', 'LV', 56.9496, 24.1052, 'Europe/Riga', 'Jēzusbaznīcas iela 12'],
  ['Prague', 'CZ', 50.0875, 14.4213, 'Europe/Prague', 'Sádky 626'],
  ['Vienna', 'AT', 48.2082, 16.3738, 'Europe/Vienna', 'Hüttelbergstraße 6'],
  ['Stockholm', 'SE', 59.3293, 18.0686, 'Europe/Stockholm', 'Herserudsvägen 5'],
  ['Washington', 'US', 38.9072, -77.0369, 'America/New_York', '1619 New Hampshire Ave NW'],
  ['Canberra', 'AU', -35.2809, 149.13, 'Australia/Sydney', '1 National Circuit'],
  ['Tokyo', 'JP', 35.6762, 139.6503, 'Asia/Tokyo', '4-24-3 Kita-Shinagawa'],
].map(([city, country, latitude, longitude, timezone, address]) => ({
  venue_id: null, city, country, latitude, longitude, timezone, address,
} as Place));

/** The Saturday at least `days` away from `now`, as a calendar date. */
function saturday(now: Date, days: number): { year: number; month: number; day: number } {
  let d = DateTime.fromJSDate(now, { zone: 'UTC' }).plus({ days });
  d = d.plus({ days: (6 - d.weekday + 7) % 7 });
  return { year: d.year, month: d.month, day: d.day };
}

function localNoon(date: { year: number; month: number; day: number }, zone: string, hour = 12): Date {
  return DateTime.fromObject({ ...date, hour }, { zone }).toJSDate();
}

async function places(ctx: SeedContext): Promise<Place[]> {
  const ids = Object.values(ctx.venues);
  const venues: VenueRow[] = ids.length ? await ctx.db('venues').whereIn('id', ids).orderBy('id') : [];
  const seen = new Set<string>();
  const result: Place[] = [];
  // Embassies first: pickets stand outside them.
  for (const v of [...venues.filter((v) => v.kind === 'embassy'), ...venues.filter((v) => v.kind !== 'embassy')]) {
    if (seen.has(v.city) || result.length >= 12) continue;
    seen.add(v.city);
    result.push({ venue_id: v.id, address: v.address, city: v.city, country: v.country, latitude: v.latitude, longitude: v.longitude, timezone: v.timezone });
  }
  for (const f of FALLBACK) {
    if (result.length >= 12) break;
    if (!seen.has(f.city)) {
      seen.add(f.city);
      result.push(f);
    }
  }
  return result;
}

export async function seedEvents(ctx: SeedContext): Promise<void> {
  const { db } = ctx;
  const campaignId = Object.values(ctx.campaigns)[0] ?? null;
  const demands: { id: number }[] = campaignId ? await db('demands').where({ campaign_id: campaignId }).orderBy(['position', 'id']) : [];
  const owners = [ctx.users.organiser1, ctx.users.organiser2];
  const upcoming = saturday(ctx.now, 21);
  const past = saturday(ctx.now, -35);
  let created = 0;

  const ensure = async (key: string, title: string, place: Place, fields: Partial<EventRow>, demandIds: number[]) => {
    const existing = await db('events').where({ title }).first('id');
    if (existing) {
      ctx.events[key] = existing.id;
      return;
    }
    const [row] = await db('events').insert({
      campaign_id: campaignId, kind: 'picket', title, slug: slugify(title), description: '', language: 'en',
      ...place, meeting_point_private: false, meeting_point: '', waitlist_enabled: true, headcount_only_allowed: false,
      status: 'published', action_status: 'planned', contact_text: '', ...fields,
    }).returning('id');
    if (demandIds.length) await db('event_demands').insert(demandIds.map((demand_id) => ({ event_id: row.id, demand_id })));
    ctx.events[key] = row.id;
    created++;
  };

  const list = await places(ctx);
  for (const [i, place] of list.entries()) {
    const owner = owners[i % 2];
    const raised = demands.filter((_, j) => i % 3 !== 2 || j === 0).map((d) => d.id);
    const startsAt = localNoon(upcoming, place.timezone);
    const status = i === 10 ? 'draft' : i === 11 ? 'cancelled' : 'published';
    await ensure(`${place.city}-upcoming`, `Day of action: ${place.city}`, place, {
      owner_id: owner.id,
      description: `Join us outside the embassy in **${place.city}** at noon local time.\n\nBring a sign with a prisoner's name. Stewards wear yellow armbands.`,
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + 2 * 3600_000),
      status,
      published_at: status === 'draft' ? null : ctx.now,
      cancelled_at: status === 'cancelled' ? ctx.now : null,
      action_status: (i % 4 === 0 ? 'confirmed' : 'planned') as ActionStatus,
      capacity: i % 3 === 0 ? 40 : null,
      headcount_only_allowed: i % 2 === 0,
      meeting_point_private: i === 4,
      meeting_point: i === 4 ? 'By the bus stop across the road; look for the white umbrella' : 'At the embassy gate',
      contact_text: 'Ask a steward in a yellow armband.',
    }, raised);

    if (i < 8) {
      const pastStart = localNoon(past, place.timezone, 11);
      const outcome: ActionStatus[] = ['letter_delivered', 'letter_refused', 'happened'];
      await ensure(`${place.city}-past`, `Vigil for the prisoners: ${place.city}`, place, {
        owner_id: owner.id,
        kind: 'vigil',
        description: `A vigil outside the embassy in ${place.city}, with candles and the prisoners' portraits.`,
        starts_at: pastStart,
        ends_at: new Date(pastStart.getTime() + 90 * 60_000),
        published_at: ctx.now,
        action_status: outcome[i % 3],
        attendance_count: 12 + i * 7,
      }, raised);
    }
  }
  ctx.log(`pickets, vigils and meetings: ${created} added, ${Object.keys(ctx.events).length - created} there already`);
}
