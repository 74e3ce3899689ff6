// The admin's list of organiser accounts and pending invites, and disabling an account.
import type { AppDeps } from '../deps';
import type { UserRow } from '../db/tables';
import { NotFound } from '../lib/errors';
import { presentAccount, presentInvite } from '../presenters/accounts';
import * as users from '../queries/users';

export async function accountsPage(deps: Pick<AppDeps, 'db' | 'clock'>) {
  const [accounts, invites] = await Promise.all([users.list(deps.db), users.pendingInvites(deps.db, deps.clock.now())]);
  return { accounts: accounts.map(presentAccount), invites: invites.map(presentInvite) };
}

/** Disables (and signs out) or enables an account; an admin cannot disable themselves. */
export async function setAccountDisabled(
  deps: Pick<AppDeps, 'db'>, admin: Pick<UserRow, 'id'>, id: number, disabled: boolean,
): Promise<'done' | 'yourself'> {
  if (id === admin.id) return 'yourself';
  if (!(await users.findById(deps.db, id))) throw new NotFound();
  await users.setDisabled(deps.db, id, disabled);
  if (disabled) await users.deleteSessions(deps.db, id);
  return 'done';
}
