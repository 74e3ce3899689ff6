// The public campaign page as visitors see it: every part through the campaigns presenter.
import type { AppDeps } from '../deps';
import {
  dayOfAction, dayOfActionBoard, groupByCountry, presentCampaign, presentCampaignEvent, presentDemand, presentPrisoner, reportBacks,
} from '../presenters/campaigns';
import { publicCampaign } from './campaigns';

export async function publicCampaignPage(deps: Pick<AppDeps, 'db' | 'clock'>, slug: string, locale: string, picketsPage = 1) {
  const data = await publicCampaign(deps, slug, picketsPage);
  const prisoners = new Map(data.prisoners.map((p) => [p.id, p]));
  const events = data.events.map((e) => presentCampaignEvent(e, locale, data.now));
  return {
    campaignId: data.campaign.id,
    campaign: presentCampaign(data.campaign, locale),
    demands: data.demands.map((d) => presentDemand(d, data.counts.get(d.id) ?? 0, prisoners)),
    prisoners: data.prisoners.map((p) => presentPrisoner(p, data.demands, locale)),
    board: dayOfActionBoard(events),
    capitalsCovered: data.capitalsCovered,
    countries: groupByCountry(events),
    picketsPaging: data.picketsPaging,
    reportBacks: reportBacks(events, data.media, data.handins),
    mapLinks: mapLinks(data.campaign.slug, dayOfAction(events)),
  };
}

/** The campaign's pickets on the map, and its day of action there when it has one. */
function mapLinks(slug: string, day: string | null) {
  const campaign = `/map?campaign=${encodeURIComponent(slug)}`;
  return { all: campaign, day: day ? `${campaign}&day=${day}` : null };
}
