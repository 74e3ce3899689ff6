// Demo campaign, modelled on the solidarity campaigns for Belarus's political prisoners (the
// people here are illustrative, not real cases), with the Belarusian embassies in a dozen
// capitals. Idempotent: everything is found again by its natural key and only created when missing.
import type { CampaignRow, DemandKind, PrisonerStatus, VenueKind } from '../db/tables';
import * as campaigns from '../queries/campaigns';
import * as venues from '../queries/venues';
import { checkVenue } from '../services/venues';
import type { SeedContext } from './context';

// [key, kind, name, address, city, country, latitude, longitude, zone]
const PLACES: [string, VenueKind, string, string, string, string, number, number, string][] = [
  ['london', 'embassy', 'Embassy of Belarus in London', '6 Kensington Court, W8 5DL', 'London', 'GB', 51.5009, -0.1887, 'Europe/London'],
  ['paris', 'embassy', 'Embassy of Belarus in Paris', '38 boulevard Suchet, 75016', 'Paris', 'FR', 48.8616, 2.2683, 'Europe/Paris'],
  ['berlin', 'embassy', 'Embassy of Belarus in Berlin', 'Am Treptower Park 32, 12435', 'Berlin', 'DE', 52.4929, 13.4633, 'Europe/Berlin'],
  ['warsaw', 'embassy', 'Embassy of Belarus in Warsaw', 'ul. Wiertnicza 58, 02-952', 'Warsaw', 'PL', 52.1905, 21.075, 'Europe/Warsaw'],
  ['vilnius', 'embassy', 'Embassy of Belarus in Vilnius', 'Mindaugo g. 13, 03225', 'Vilnius', 'LT', 54.6793, 25.2767, 'Europe/Vilnius'],
  ['riga', 'embassy', 'Embassy of Belarus in Riga', 'Jēzusbaznīcas iela 12, LV-1050', 'Riga', 'LV', 56.9431, 24.1158, 'Europe/Riga'],
  ['prague', 'embassy', 'Embassy of Belarus in Prague', 'Sádky 626, 171 00 Praha 7', 'Prague', 'CZ', 50.1177, 14.4206, 'Europe/Prague'],
  ['vienna', 'embassy', 'Embassy of Belarus in Vienna', 'Hüttelbergstraße 6, 1140', 'Vienna', 'AT', 48.2019, 16.2639, 'Europe/Vienna'],
  ['brussels', 'embassy', 'Embassy of Belarus in Brussels', 'Avenue Molière 192, 1050 Ixelles', 'Brussels', 'BE', 50.816, 4.3594, 'Europe/Brussels'],
  ['washington', 'embassy', 'Embassy of Belarus in Washington', '1619 New Hampshire Ave NW, DC 20009', 'Washington', 'US', 38.9126, -77.0387, 'America/New_York'],
  ['tokyo', 'embassy', 'Embassy of Belarus in Tokyo', '4-14-12 Shirokane, Minato-ku', 'Tokyo', 'JP', 35.6452, 139.7253, 'Asia/Tokyo'],
  // Belarus has no embassy in Australia: the Canberra picket stands in front of Parliament House.
  ['canberra', 'square', 'Parliament House forecourt', 'Parliament Dr', 'Canberra', 'AU', -35.3081, 149.1245, 'Australia/Sydney'],
];

const CAMPAIGN = {
  slug: 'free-belarus-political-prisoners',
  title: 'Free the political prisoners of Belarus',
  description: [
    'Since the stolen election of August 2020, more than **a thousand people** have been jailed in Belarus ' +
      'for their words, their votes and their strikes. Human rights defenders count them one by one.',
    '',
    'On the day of action we stand outside the embassies of Belarus around the world, read their names ' +
      'and hand in a letter asking for their release.',
    '',
    '- Write to a prisoner: letters break the isolation.',
    '- Bring a sign with a name and a photo.',
  ].join('\n'),
  target_country: 'BY',
  slogans: ['Freedom for political prisoners!', 'Жыве Беларусь!', 'Stop the repression'],
  language: 'en',
  status: 'active' as CampaignRow['status'],
};

const PRISONERS: { key: string; name: string; status: PrisonerStatus; since: string; story: string }[] = [
  { key: 'alena', name: 'Alena Kavalchuk', status: 'sentenced', since: '2022-03-15', story: 'A nurse and trade unionist at a Minsk hospital, sentenced to six years for calling a strike.' },
  { key: 'ihar', name: 'Ihar Dzmitryeu', status: 'detained', since: '2024-11-02', story: 'A regional journalist, held without trial since his newspaper was declared "extremist".' },
  { key: 'natallia', name: 'Natallia Hrynevich', status: 'detained', since: '2025-06-20', story: 'A student arrested for a comment under a news post; she faces "extremism" charges.' },
  { key: 'siarhei', name: 'Siarhei Mazurak', status: 'released', since: '2025-09-11', story: 'A factory worker who spent three years in a penal colony, released after an international campaign.' },
];

const DEMANDS: { kind: DemandKind; text: string; prisoner?: string }[] = [
  { kind: 'release', text: 'Release Alena Kavalchuk and every jailed trade unionist', prisoner: 'alena' },
  { kind: 'release', text: 'Release Ihar Dzmitryeu and every journalist behind bars', prisoner: 'ihar' },
  { kind: 'drop_charges', text: 'Drop the "extremism" charges against Natallia Hrynevich', prisoner: 'natallia' },
  { kind: 'other', text: 'Free all political prisoners in Belarus and end the repression' },
  { kind: 'other', text: 'Let political prisoners see their lawyers and families' },
];

export async function seedCampaigns(ctx: SeedContext): Promise<void> {
  const { db } = ctx;
  let created = 0;

  for (const [key, kind, name, address, city, country, latitude, longitude, timezone] of PLACES) {
    const checked = checkVenue({ kind, name, address, city, country, represents: kind === 'embassy' ? 'BY' : '', latitude, longitude, timezone });
    if (!checked.ok) throw new Error(`seed venue ${key}: ${JSON.stringify(checked.errors)}`);
    const existing = await venues.findVenueByKey(db, { name, city, country });
    const venue = existing ?? (await venues.insertVenue(db, checked.venue));
    if (!existing) created++;
    ctx.venues[key] = venue.id;
  }

  let campaign = await campaigns.findCampaignBySlug(db, CAMPAIGN.slug);
  if (!campaign) {
    campaign = await campaigns.insertCampaign(db, { ...CAMPAIGN, owner_id: ctx.users.organiser1.id });
    created++;
  }
  ctx.campaigns.belarus = campaign.id;

  const prisonerIds: Record<string, number> = {};
  const existingPrisoners = await campaigns.listPrisoners(db, campaign.id);
  for (const p of PRISONERS) {
    const { key, ...fields } = p;
    const found = existingPrisoners.find((e) => e.name === p.name);
    prisonerIds[key] = found?.id ?? (await campaigns.insertPrisoner(db, campaign.id, fields)).id;
    if (!found) created++;
  }

  const existingDemands = await campaigns.listDemands(db, campaign.id);
  for (const d of DEMANDS) {
    if (existingDemands.some((e) => e.text === d.text)) continue;
    await campaigns.insertDemand(db, campaign.id, { kind: d.kind, text: d.text, prisoner_id: d.prisoner ? prisonerIds[d.prisoner] : null });
    created++;
  }

  ctx.log(`the demo campaign, with ${PRISONERS.length} prisoner profiles, ${DEMANDS.length} demands and ${PLACES.length} embassies in the place directory: ${created ? 'added' : 'there already'}`);
}
