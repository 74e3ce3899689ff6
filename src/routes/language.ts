// The language switcher: remembers the visitor's choice in a cookie and goes back where they were.
// A plain link (GET) so it works without JavaScript and without a session; the cookie only
// chooses a language, so a forged link can do no harm beyond switching it.
import { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { parse } from '../lib/validation';
import { rememberLanguage } from '../services/language';

const ONE_YEAR_MS = 365 * 24 * 3600_000;

const choice = z.object({ lang: z.string().max(10), next: z.string().max(2000).optional() });

/**
 * Only a path on this site: "/events/3?x=1". Absolute URLs, protocol-relative "//host",
 * backslashes and control characters (which browsers strip, turning "/\t/host" into "//host") fall back to "/".
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  if (/[\\\u0000-\u001f\u007f]/.test(value) || value.startsWith('//')) return '/';
  const base = 'http://picket.invalid';
  try {
    const url = new URL(value, base);
    if (url.origin !== base) return '/';
    return url.pathname + url.search + url.hash;
  } catch {
    return '/';
  }
}

export function setLanguageCookie(res: Response, lang: string, secure: boolean): void {
  res.cookie('lang', lang, { maxAge: ONE_YEAR_MS, httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

export function languageRouter(deps: AppDeps): Router {
  const router = Router();
  const setLanguage = async (source: unknown, req: Request, res: Response, persist: boolean) => {
    const parsed = parse(choice, source);
    const next = safeReturnPath(parsed.ok ? parsed.data.next : undefined);
    // The session says who is logged in; this router runs before loadUser, so there is no req.user yet.
    // Only the POST (CSRF-checked) also saves the choice in the organiser's account.
    const userId = persist ? req.session?.userId : undefined;
    if (parsed.ok && (await rememberLanguage(deps, userId, parsed.data.lang))) {
      setLanguageCookie(res, parsed.data.lang, deps.config.secureCookies);
    }
    res.redirect(303, next);
  };
  router.get('/language', (req: Request, res: Response) => setLanguage(req.query, req, res, false));
  router.post('/language', (req: Request, res: Response) => setLanguage(req.body, req, res, true));
  return router;
}
