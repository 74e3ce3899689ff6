import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Role, UserRow } from '../db/tables';
import { hashPassword } from '../services/accounts';
import * as users from '../queries/users';

const ACCOUNTS: { key: 'admin' | 'organiser1' | 'organiser2'; email: string; name: string; role: Role }[] = [
  { key: 'admin', email: 'admin@picket.test', name: 'Demo Admin', role: 'admin' },
  { key: 'organiser1', email: 'organiser1@picket.test', name: 'Alesia (London group)', role: 'organiser' },
  { key: 'organiser2', email: 'organiser2@picket.test', name: 'Jonas (Vilnius group)', role: 'organiser' },
];

/**
 * The demo accounts. Existing ones are left as they are; new ones get SEED_PASSWORD, or a random
 * password that is returned once so the caller can print it.
 */
export async function seedUsers(db: Knex, seedPassword?: string) {
  const created: string[] = [];
  const password = seedPassword ?? crypto.randomBytes(9).toString('base64url');
  const result = {} as Record<'admin' | 'organiser1' | 'organiser2', UserRow>;
  for (const account of ACCOUNTS) {
    let user = await users.findByEmail(db, account.email);
    if (!user) {
      user = await users.insert(db, { email: account.email, name: account.name, role: account.role, password_hash: await hashPassword(password) });
      created.push(account.email);
    }
    result[account.key] = user;
  }
  return { users: result, created, password };
}
