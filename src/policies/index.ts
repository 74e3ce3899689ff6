// Who may do what to which thing: the one answer. Services ask `can` (or `authorize`, which throws
// 403) before acting, and list queries are narrowed by `ownerScope`; views get the answers as
// booleans and never compare ids or roles themselves.
//
// A host (a verified local organiser, signed in by an e-mailed link, issue 17) manages only the
// pickets they run: one more member of `Actor` and one more line in the `picket` rule; every other
// rule refuses an actor that is not an organiser or admin.
import type { Role } from '../domain/enums';
import { Forbidden } from '../lib/errors';

/** Someone signed in with an account (organiser or admin). */
export interface AccountActor {
  id: number;
  role: Role;
}

/** A local host signed in by link: manages the pickets in `picketIds` (read at sign-in of each request). */
export interface HostActor {
  role: 'host';
  /** The host's id (hosts.id), never a user id. */
  hostId: number;
  campaignId: number;
  picketIds: number[];
}

export type Actor = AccountActor | HostActor;

const isHost = (actor: Actor | null | undefined): actor is HostActor => Boolean(actor && actor.role === 'host');

/** The account behind an actor (for "moderated by", "written by"), null for a host. */
export function accountId(actor: Actor | null | undefined): number | null {
  return actor && actor.role !== 'host' ? actor.id : null;
}

export type Action = 'view' | 'manage';

/** The things rules are written about, with the fields the rules need. */
export type Subject =
  | { type: 'picket'; id: number; ownerId: number; status: string }
  | { type: 'campaign'; id: number; ownerId: number }
  | { type: 'prisoner'; id: number; campaignOwnerId: number }
  | { type: 'directory' }
  | { type: 'accounts' };

export const picket = (row: { id: number; owner_id: number; status: string }): Subject =>
  ({ type: 'picket', id: row.id, ownerId: row.owner_id, status: row.status });
export const campaign = (row: { id: number; owner_id: number }): Subject => ({ type: 'campaign', id: row.id, ownerId: row.owner_id });
/** A prisoner profile belongs to its campaign's organiser. */
export const prisoner = (row: { id: number; owner_id: number }): Subject => ({ type: 'prisoner', id: row.id, campaignOwnerId: row.owner_id });
/** The venue directory (embassies, squares). */
export const DIRECTORY: Subject = { type: 'directory' };
/** Organiser accounts and invitations. */
export const ACCOUNTS: Subject = { type: 'accounts' };

const isAdmin = (actor: Actor | null | undefined): boolean => Boolean(actor && actor.role === 'admin');
const isOwner = (actor: Actor | null | undefined, ownerId: number) => Boolean(actor && actor.role === 'organiser' && actor.id === ownerId);
const hosts = (actor: Actor | null | undefined, picketId: number) => isHost(actor) && actor.picketIds.includes(picketId);

/** May `actor` (null: an anonymous visitor) do `action` to `subject`? */
export function can(actor: Actor | null | undefined, action: Action, subject: Subject): boolean {
  switch (subject.type) {
    case 'picket':
      // Published and cancelled pickets are public; a draft is seen only by whoever manages it.
      if (action === 'view' && subject.status !== 'draft') return true;
      return isAdmin(actor) || isOwner(actor, subject.ownerId) || hosts(actor, subject.id);
    case 'campaign':
      return isAdmin(actor) || isOwner(actor, subject.ownerId);
    case 'prisoner':
      return isAdmin(actor) || isOwner(actor, subject.campaignOwnerId);
    case 'directory':
    case 'accounts':
      return isAdmin(actor);
  }
}

/** `can`, or 403. */
export function authorize(actor: Actor | null | undefined, action: Action, subject: Subject): void {
  if (!can(actor, action, subject)) throw new Forbidden();
}

/**
 * Which owner's things a list shows `actor`: their own (their id), or everyone's (null) for an
 * admin. The list queries filter by it, so a list and `can` never disagree.
 */
export function ownerScope(actor: AccountActor): number | null {
  return isAdmin(actor) ? null : actor.id;
}
