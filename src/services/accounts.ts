// Organiser accounts: the first admin, invites, login and password resets.
import { hash, verify } from '@node-rs/argon2';
import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { Role, UserRow } from '../db/tables';
import { sendTemplate } from '../lib/mail';
import { pgLimit } from '../lib/rate-limits';
import { hashToken, newToken } from '../lib/tokens';
import * as users from '../queries/users';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config' | 'i18n'>;

// algorithm 2 is Argon2id (a const enum in the package's types, which isolatedModules cannot read).
const ARGON = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

// Compared against when the e-mail is unknown, so a login takes as long either way.
let dummyHash: Promise<string> | undefined;

export async function authenticate(deps: Deps, email: string, password: string): Promise<UserRow | null> {
  const user = await users.findByEmail(deps.db, email);
  if (!user || user.disabled_at) {
    await verify(await (dummyHash ??= hashPassword('not-a-real-password')), password).catch(() => false);
    return null;
  }
  return (await verify(user.password_hash, password)) ? user : null;
}

export type CreateResult = { ok: true; user: UserRow } | { ok: false; reason: 'exists' | 'taken' };

/** Creates the first admin; refuses once any account exists (checked under a lock). */
export async function createFirstAdmin(deps: Deps, input: { name: string; email: string; password: string }): Promise<CreateResult> {
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction(async (trx) => {
    await trx.raw('lock table users in exclusive mode');
    if (await users.exists(trx)) return { ok: false, reason: 'exists' } as const;
    const user = await users.insert(trx, { email: input.email, name: input.name, password_hash: passwordHash, role: 'admin' });
    return { ok: true, user } as const;
  });
}

export async function invite(
  deps: Deps,
  by: UserRow,
  input: { email: string; role: Role; locale: string },
): Promise<{ ok: true } | { ok: false; reason: 'taken' }> {
  if (await users.findByEmail(deps.db, input.email)) return { ok: false, reason: 'taken' };
  const token = newToken();
  const expiresAt = new Date(deps.clock.now().getTime() + deps.config.INVITE_TTL_HOURS * 3600_000);
  await deps.db.transaction(async (trx) => {
    await users.insertInvite(trx, { email: input.email, role: input.role, token_hash: hashToken(token), invited_by: by.id, expires_at: expiresAt });
    await sendTemplate(trx, deps, {
      to: input.email,
      template: 'invite',
      locale: input.locale,
      data: { inviter: by.name, role: input.role, link: `${deps.config.BASE_URL}/invite/${token}`, hours: deps.config.INVITE_TTL_HOURS },
    });
  });
  return { ok: true };
}

export type InviteState = 'valid' | 'unknown' | 'expired' | 'used';

export async function checkInvite(deps: Deps, token: string) {
  const row = await users.findInvite(deps.db, hashToken(token));
  const state: InviteState = !row ? 'unknown' : row.accepted_at ? 'used' : row.expires_at <= deps.clock.now() ? 'expired' : 'valid';
  return { state, invite: row };
}

export async function acceptInvite(
  deps: Deps,
  token: string,
  input: { name: string; password: string },
): Promise<{ ok: true; user: UserRow } | { ok: false; reason: InviteState | 'taken' }> {
  const { state, invite: row } = await checkInvite(deps, token);
  if (state !== 'valid' || !row) return { ok: false, reason: state };
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction(async (trx) => {
    if ((await users.markInviteAccepted(trx, row.id, deps.clock.now())) !== 1) return { ok: false, reason: 'used' } as const;
    if (await users.findByEmail(trx, row.email)) return { ok: false, reason: 'taken' } as const;
    const user = await users.insert(trx, { email: row.email, name: input.name, password_hash: passwordHash, role: row.role });
    return { ok: true, user } as const;
  });
}

/**
 * Always behaves the same whether or not the address has an account (no account probing). Each
 * request counts against the address asked for, existing or not, so nobody can flood an organiser
 * with reset e-mails: past the hourly allowance the request is quietly dropped.
 */
export async function requestPasswordReset(deps: Deps & Pick<AppDeps, 'sessionSecret'>, email: string, locale: string): Promise<void> {
  const perAccount = pgLimit(deps.db, {
    name: 'reset-account', points: deps.config.PASSWORD_RESET_EMAILS_PER_HOUR, seconds: 3600, secret: deps.sessionSecret,
  });
  if (!(await perAccount.take(email.trim().toLowerCase()))) return;
  const user = await users.findByEmail(deps.db, email);
  if (!user || user.disabled_at) return;
  const token = newToken();
  const expiresAt = new Date(deps.clock.now().getTime() + deps.config.PASSWORD_RESET_TTL_MINUTES * 60_000);
  await deps.db.transaction(async (trx) => {
    await users.insertReset(trx, { user_id: user.id, token_hash: hashToken(token), expires_at: expiresAt });
    await sendTemplate(trx, deps, {
      to: user.email,
      template: 'password-reset',
      locale: user.locale ?? locale,
      data: { name: user.name, link: `${deps.config.BASE_URL}/password/reset/${token}`, minutes: deps.config.PASSWORD_RESET_TTL_MINUTES },
    });
  });
}

export async function checkReset(deps: Deps, token: string): Promise<'valid' | 'unknown' | 'expired' | 'used'> {
  const row = await users.findReset(deps.db, hashToken(token));
  if (!row) return 'unknown';
  if (row.used_at) return 'used';
  return row.expires_at <= deps.clock.now() ? 'expired' : 'valid';
}

export async function resetPassword(deps: Deps, token: string, password: string): Promise<{ ok: boolean; reason?: string }> {
  const state = await checkReset(deps, token);
  if (state !== 'valid') return { ok: false, reason: state };
  const row = (await users.findReset(deps.db, hashToken(token)))!;
  const passwordHash = await hashPassword(password);
  return deps.db.transaction(async (trx: Knex.Transaction) => {
    if ((await users.markResetUsed(trx, row.id, deps.clock.now())) !== 1) return { ok: false, reason: 'used' };
    await users.updatePassword(trx, row.user_id, passwordHash);
    await users.deleteSessions(trx, row.user_id);
    return { ok: true };
  });
}

export async function checkSetupDone(deps: Pick<Deps, 'db'>): Promise<boolean> {
  return users.exists(deps.db);
}
