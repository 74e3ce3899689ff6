// The public campaign page as visitors see it: every part through the campaigns presenter.
import type { AppDeps } from '../deps';
import {
  dayOfActionBoard, groupByCountry, presentCampaign, presentCampaignEvent, presentDemand, presentPrisoner,
} from '../presenters/campaigns';
import { publicCampaign } from './campaigns';

export async function publicCampaignPage(deps: Pick<AppDeps, 'db' | 'clock'>, slug: string, locale: string, picketsPage = 1) {
  const data = await publicCampaign(deps, slug, picketsPage);
  const prisoners = new Map(data.prisoners.map((p) => [p.id, p]));
  const events = data.events.map((e) => presentCampaignEvent(e, locale, data.now));
  return {
    campaign: presentCampaign(data.campaign, locale),
    demands: data.demands.map((d) => presentDemand(d, data.counts.get(d.id) ?? 0, prisoners)),
    prisoners: data.prisoners.map((p) => presentPrisoner(p, data.demands, locale)),
    board: dayOfActionBoard(events),
    countries: groupByCountry(events),
    picketsPaging: data.picketsPaging,
  };
}
