import type { InviteRow, UserRow } from '../db/tables';

/** What the admin's account list shows: never the password hash. */
export function presentAccount(user: UserRow) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    disabled: Boolean(user.disabled_at),
    createdAt: user.created_at,
  };
}

/** A pending invite on the admin's page: the address it went to and the role it gives, never its token. */
export function presentInvite(invite: Pick<InviteRow, 'email' | 'role'>) {
  return { email: invite.email, role: invite.role };
}
