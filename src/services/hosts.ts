// Hosts (issue 17): local organisers without an account. They sign in with a link e-mailed to
// them (expiring, single use, only its hash kept) and manage the pickets they run through the
// same organiser pages, as far as the policy lets a host (src/policies). The campaign's organisers
// may trust a host (their next proposals publish once verified) or revoke them (no more sign-in,
// no more proposals, the running session ends at its next request).
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { CampaignRow, EventRow, HostRow, UserRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import { sendTemplate } from '../lib/mail';
import { hashToken, newToken } from '../lib/tokens';
import * as q from '../queries/proposals';
import * as campaignQueries from '../queries/campaigns';
import { authorize, campaign as policyCampaign, HostActor } from '../policies';
import { presentHostPicket } from '../presenters/proposals';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'i18n'>;

/** A new sign-in link for the host (the address to put in an e-mail). */
export async function signInLinkFor(db: Knex, deps: Pick<AppDeps, 'clock' | 'config'>, hostId: number): Promise<string> {
  const token = newToken();
  await q.insertLink(db, {
    host_id: hostId, token_hash: hashToken(token),
    expires_at: new Date(deps.clock.now().getTime() + deps.config.HOST_LINK_TTL_MINUTES * 60_000),
  });
  return `${deps.config.BASE_URL}/host/link/${token}`;
}

/**
 * "Send me a sign-in link": mailed only to a verified host of this campaign who runs a picket and
 * is not revoked. The page says the same whatever the address, so it tells nobody who hosts.
 */
export async function requestSignIn(deps: Deps, campaign: CampaignRow, email: string, locale: string): Promise<void> {
  const host = await q.findHostByEmail(deps.db, campaign.id, email);
  if (!host || host.revoked_at || !host.verified_at) return;
  if (!(await q.picketIdsOfHost(deps.db, host.id)).length) return;
  await deps.db.transaction(async (trx) => {
    const link = await signInLinkFor(trx, deps, host.id);
    await sendTemplate(trx, deps, {
      to: host.email, template: 'host-sign-in', locale,
      data: { name: host.name, campaign: campaign.title, link, minutes: deps.config.HOST_LINK_TTL_MINUTES },
    });
  });
}

export type LinkState = 'valid' | 'unknown' | 'used' | 'expired' | 'revoked';

async function linkState(db: Knex, deps: Pick<AppDeps, 'clock'>, token: string, lock?: Knex.Transaction) {
  const hash = hashToken(token);
  const link = lock ? await q.findLinkForUpdate(lock, hash) : await db('host_links').where({ token_hash: hash }).first();
  if (!link) return { state: 'unknown' as LinkState };
  const host = await q.findHost(lock ?? db, link.host_id);
  const state: LinkState = !host || host.revoked_at ? 'revoked' : link.used_at ? 'used' : link.expires_at <= deps.clock.now() ? 'expired' : 'valid';
  return { state, link, host };
}

/** Where a host whose link no longer works asks for a new one (their campaign's sign-in page), when known. */
async function signInPath(db: Knex, host: HostRow | undefined): Promise<string | null> {
  const campaign = host && !host.revoked_at ? await campaignQueries.findCampaign(db, host.campaign_id) : undefined;
  return campaign ? `/campaigns/${encodeURIComponent(campaign.slug)}/host/sign-in` : null;
}

/** What the link page says before its button is pressed (opening the link spends nothing: mail scanners open links). */
export async function checkLink(deps: Pick<AppDeps, 'db' | 'clock'>, token: string): Promise<{ state: LinkState; signInPath: string | null }> {
  const { state, host } = await linkState(deps.db, deps, token);
  return { state, signInPath: await signInPath(deps.db, host) };
}

/** Spends the link: the host id to sign in, or why not. */
export async function useLink(deps: Pick<AppDeps, 'db' | 'clock'>, token: string): Promise<{ ok: true; hostId: number } | { ok: false; state: LinkState; signInPath: string | null }> {
  return deps.db.transaction(async (trx) => {
    const { state, link, host } = await linkState(trx, deps, token, trx);
    if (state !== 'valid' || !link || !host) return { ok: false, state, signInPath: await signInPath(trx, host) } as const;
    await q.useLink(trx, link.id, deps.clock.now());
    return { ok: true, hostId: host.id } as const;
  });
}

/** The actor of a host session, or nothing when the host is gone or revoked (the session then ends). */
export async function signedInHost(deps: Pick<AppDeps, 'db'>, hostId: number): Promise<{ actor: HostActor; host: HostRow } | undefined> {
  const host = await q.findHost(deps.db, hostId);
  if (!host || host.revoked_at) return undefined;
  return { host, actor: { role: 'host', hostId: host.id, campaignId: host.campaign_id, picketIds: await q.picketIdsOfHost(deps.db, host.id) } };
}

/** The host's own page: the pickets they run. */
export async function hostHome(deps: Pick<AppDeps, 'db'>, actor: HostActor, locale: string) {
  const host = await q.findHost(deps.db, actor.hostId);
  if (!host) throw new NotFound();
  const events: EventRow[] = actor.picketIds.length
    ? await deps.db<EventRow>('events').whereIn('id', actor.picketIds).orderBy('starts_at') : [];
  const campaign = await campaignQueries.findCampaign(deps.db, host.campaign_id);
  return {
    hostName: host.name, campaign: campaign ? { title: campaign.title, slug: campaign.slug } : null,
    events: events.map((e) => presentHostPicket(e, locale)),
  };
}

type Organiser = Pick<UserRow, 'id' | 'role'>;

/** A host of a campaign the organiser manages: 404 unknown, 403 another campaign's. */
async function hostFor(deps: Pick<AppDeps, 'db'>, user: Organiser, hostId: number): Promise<HostRow> {
  const host = Number.isSafeInteger(hostId) ? await q.findHost(deps.db, hostId) : undefined;
  if (!host) throw new NotFound();
  const campaign = await campaignQueries.findCampaign(deps.db, host.campaign_id);
  if (!campaign) throw new NotFound();
  authorize(user, 'manage', policyCampaign(campaign));
  return host;
}

/** "Trust this host": their next proposals publish as soon as their address is verified. */
export async function setTrusted(deps: Pick<AppDeps, 'db'>, user: Organiser, hostId: number, trusted: boolean): Promise<HostRow> {
  const host = await hostFor(deps, user, hostId);
  return q.updateHost(deps.db, host.id, { trusted });
}

/** Revoked: no sign-in, no proposals, trust withdrawn; their pickets stay with the campaign. */
export async function revoke(deps: Pick<AppDeps, 'db' | 'clock'>, user: Organiser, hostId: number): Promise<HostRow> {
  const host = await hostFor(deps, user, hostId);
  return q.updateHost(deps.db, host.id, { revoked_at: host.revoked_at ?? deps.clock.now(), trusted: false });
}

/** The campaign's verified hosts (names, not addresses, are shown; the address only to the campaign's organisers). */
export async function hostsOf(deps: Pick<AppDeps, 'db'>, user: Organiser, campaign: CampaignRow) {
  authorize(user, 'manage', policyCampaign(campaign));
  return q.hostsOfCampaign(deps.db, campaign.id);
}
