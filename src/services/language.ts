// Remembering a language choice: the cookie does it for the browser; for an organiser the account
// keeps it too, so e-mails sent to them later (password resets, notices) use the same language.
import type { AppDeps } from '../deps';
import * as users from '../queries/users';

export async function rememberLanguage(deps: Pick<AppDeps, 'db' | 'i18n'>, userId: number | undefined, language: string): Promise<boolean> {
  if (!deps.i18n.languages.includes(language)) return false;
  if (userId) await users.updateLocale(deps.db, userId, language);
  return true;
}
