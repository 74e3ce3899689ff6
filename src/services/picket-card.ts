// The picket card: what a person needs at the picket on one printable page, saved for offline.
import type { AppDeps } from '../deps';
import { listForCampaign } from '../queries/letters';
import { publicPlace } from '../presenters/events';
import type { Organiser } from './events';
import { eventPage } from './public-events';

export async function picketCard(deps: Pick<AppDeps, 'db'>, id: number, viewer: Organiser | null, locale: string) {
  const page = await eventPage(deps, id, viewer);
  const letters = page.campaign ? await listForCampaign(deps.db, page.campaign.id) : [];
  // The letter in the reader's language when there is one, else the campaign's first.
  const letter = letters.find((l) => l.language === locale) ?? letters[0] ?? null;
  return {
    preview: page.preview,
    campaign: page.campaign ? { title: page.campaign.title, slug: page.campaign.slug } : null,
    demands: page.demands.map((d) => d.text),
    place: publicPlace(page.event),
    // Only what the public event page shows: a private meeting point stays private.
    event: {
      id: page.event.id, title: page.event.title, kind: page.event.kind, status: page.event.status,
      starts_at: page.event.starts_at, ends_at: page.event.ends_at, timezone: page.event.timezone,
      meetingPoint: page.event.meeting_point_private ? null : page.event.meeting_point || null,
      note: page.event.contact_text, legalSupport: page.event.legal_support,
    },
    letter: letter ? { title: letter.title, body: letter.body, language: letter.language } : null,
  };
}
