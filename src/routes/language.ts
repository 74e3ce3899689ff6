// The language switcher: remembers the visitor's choice in a cookie and goes back where they were.
// A plain link (GET) so it works without JavaScript and without a session; the cookie only
// chooses a language, so a forged link can do no harm beyond switching it.
import { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app';
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

export function languageRouter(deps: AppDeps): Router {
  const router = Router();
  const setLanguage = async (source: unknown, req: Request, res: Response) => {
    const parsed = parse(choice, source);
    const next = safeReturnPath(parsed.ok ? parsed.data.next : undefined);
    // The session says who is logged in; this router runs before loadUser, so there is no req.user yet.
    if (parsed.ok && (await rememberLanguage(deps, req.session?.userId, parsed.data.lang))) {
      res.cookie('lang', parsed.data.lang, {
        maxAge: ONE_YEAR_MS,
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.secureCookies,
        path: '/',
      });
    }
    res.redirect(303, next);
  };
  router.get('/language', (req: Request, res: Response) => setLanguage(req.query, req, res));
  router.post('/language', (req: Request, res: Response) => setLanguage(req.body, req, res));
  return router;
}
