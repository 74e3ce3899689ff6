// Scheduled work of the open calls (issue 17): erasing what need not be kept, and the organisers'
// daily digest of new proposals. Both take "now" from the caller, so tests move a clock.
import type { AppDeps } from '../deps';
import { sendTemplate } from '../lib/mail';
import { formatDateTime } from '../lib/time';
import * as q from '../queries/proposals';
import * as users from '../queries/users';

type Deps = Pick<AppDeps, 'db' | 'config' | 'i18n'>;

/**
 * Declined proposals (from their decision) and never-verified ones (from their making) older than
 * PROPOSAL_RETENTION_DAYS are erased, and hosts left with nothing go with their address; so do
 * expired sign-in links.
 */
export async function eraseStaleProposals(deps: Deps, now: Date): Promise<{ proposals: number; hosts: number }> {
  const before = new Date(now.getTime() - deps.config.PROPOSAL_RETENTION_DAYS * 24 * 3600_000);
  return deps.db.transaction(async (trx) => {
    const proposals = await q.deleteStaleProposals(trx, before);
    const hosts = await q.deleteOrphanHosts(trx);
    await q.deleteOldLinks(trx, new Date(now.getTime() - 24 * 3600_000));
    return { proposals, hosts };
  });
}

/** One e-mail per organiser listing the verified proposals waiting in their campaigns that no digest has mentioned. */
export async function sendProposalDigests(deps: Deps, now: Date): Promise<number> {
  return deps.db.transaction(async (trx) => {
    const waiting = await q.undigested(trx);
    const byOwner = new Map<number, typeof waiting>();
    for (const p of waiting) byOwner.set(p.owner_id, [...(byOwner.get(p.owner_id) ?? []), p]);
    let sent = 0;
    for (const [ownerId, proposals] of byOwner) {
      const owner = await users.findById(trx, ownerId);
      if (!owner || owner.disabled_at) continue;
      const locale = owner.locale ?? deps.config.DEFAULT_LOCALE;
      await sendTemplate(trx, deps, {
        to: owner.email, template: 'proposal-digest', locale,
        data: {
          count: proposals.length,
          proposals: proposals.map((p) => ({
            campaign: p.campaign_title, title: p.title, city: p.city, when: formatDateTime(p.starts_at, p.timezone, locale),
            link: `${deps.config.BASE_URL}/organise/proposals/${p.id}`,
          })),
          queueLink: `${deps.config.BASE_URL}/organise/proposals`,
        },
      });
      sent += 1;
    }
    await q.markDigested(trx, waiting.map((p) => p.id), now);
    return sent;
  });
}
