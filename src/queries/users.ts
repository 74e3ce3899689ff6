import type { Knex } from 'knex';
import type { InviteRow, PasswordResetRow, Role, UserRow } from '../db/tables';

export async function exists(db: Knex): Promise<boolean> {
  return Boolean(await db('users').first('id'));
}

export function findById(db: Knex, id: number): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

export function findByEmail(db: Knex, email: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ email: email.toLowerCase() }).first();
}

export async function insert(
  db: Knex,
  user: { email: string; name: string; password_hash: string; role: Role; locale?: string | null },
): Promise<UserRow> {
  const [row] = await db<UserRow>('users').insert({ ...user, email: user.email.toLowerCase() }).returning('*');
  return row;
}

export async function updatePassword(db: Knex, id: number, passwordHash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: db.fn.now() });
}

export function list(db: Knex): Promise<UserRow[]> {
  return db<UserRow>('users').orderBy('created_at');
}

export async function setDisabled(db: Knex, id: number, disabled: boolean): Promise<void> {
  await db('users').where({ id }).update({ disabled_at: disabled ? db.fn.now() : null, updated_at: db.fn.now() });
}

export async function insertInvite(db: Knex, invite: Omit<InviteRow, 'id' | 'created_at' | 'accepted_at'>): Promise<void> {
  await db('invites').insert(invite);
}

export function findInvite(db: Knex, tokenHash: string): Promise<InviteRow | undefined> {
  return db<InviteRow>('invites').where({ token_hash: tokenHash }).first();
}

export function pendingInvites(db: Knex, now: Date): Promise<InviteRow[]> {
  return db<InviteRow>('invites').whereNull('accepted_at').where('expires_at', '>', now).orderBy('created_at', 'desc');
}

export async function markInviteAccepted(db: Knex, id: number, now: Date): Promise<number> {
  return db('invites').where({ id }).whereNull('accepted_at').update({ accepted_at: now });
}

export async function insertReset(db: Knex, reset: Omit<PasswordResetRow, 'id' | 'created_at' | 'used_at'>): Promise<void> {
  await db('password_resets').insert(reset);
}

export function findReset(db: Knex, tokenHash: string): Promise<PasswordResetRow | undefined> {
  return db<PasswordResetRow>('password_resets').where({ token_hash: tokenHash }).first();
}

export async function markResetUsed(db: Knex, id: number, now: Date): Promise<number> {
  return db('password_resets').where({ id }).whereNull('used_at').update({ used_at: now });
}

/** Ends every session of a user (after a password change). */
export async function deleteSessions(db: Knex, userId: number): Promise<void> {
  await db('session').whereRaw("(sess->>'userId')::int = ?", [userId]).delete();
}

/** The organiser's interface language, for e-mails sent to them (password resets, notices). */
export async function updateLocale(db: Knex, id: number, locale: string): Promise<void> {
  await db('users').where({ id }).update({ locale, updated_at: db.fn.now() });
}
