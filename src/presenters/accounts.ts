import type { UserRow } from '../db/tables';

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
