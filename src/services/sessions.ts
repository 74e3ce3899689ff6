// Who is signed in, for the middleware that runs on every request.
import type { AppDeps } from '../deps';
import type { UserRow } from '../db/tables';
import * as users from '../queries/users';
import { ACCOUNTS, can } from '../policies';

/** The account behind a session, unless it is gone or disabled. */
export async function signedInUser(deps: Pick<AppDeps, 'db'>, id: number): Promise<UserRow | undefined> {
  const user = await users.findById(deps.db, id);
  return user && !user.disabled_at ? user : undefined;
}

/** False on a fresh install, until the first admin account exists. */
export function hasAccounts(deps: Pick<AppDeps, 'db'>): Promise<boolean> {
  return users.exists(deps.db);
}

/** Whether this person may manage accounts and instance settings (the policy's answer, for the middleware and views). */
export function mayAdminister(user: UserRow | undefined | null): boolean {
  return can(user, 'manage', ACCOUNTS);
}
