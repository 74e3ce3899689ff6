// Protection of state-changing requests (cross-site request forgery). Two kinds of request:
//
// - A logged-in session, and the account forms (log-in, first set-up, password reset, invitations,
//   log-out), carry a double-submit token (csrf-csrf: a signed cookie plus the same value in the
//   form, bound to the session). Those pages are never cached, so a per-visitor token costs nothing.
//
// - Everything else comes from visitors without a session: RSVP, upload, the RSVP manage and cancel
//   forms behind a secret link, letters, proposals. Such a request carries no ambient credentials
//   (no session cookie; the manage link's secret is in the URL, which another site cannot know), so
//   a forged one can do nothing its sender could not do directly. OWASP's CSRF cheat sheet allows
//   these to be checked by origin instead of a token, which is what lets every anonymous visitor get
//   the same cached, precompressed page: the browser's own `Sec-Fetch-Site` must say same-origin
//   and, when it is absent, `Origin` must be this site (BASE_URL, or the address the request came
//   to). A request with neither header is not from a modern browser (all of them send Origin on a
//   POST and Sec-Fetch-Site since 2020-2023): it is curl, a script or a very old browser, and can
//   carry no visitor's cookies that another site could make it send, so it is let through.
//   Cookies are SameSite=Lax as a further layer: another site's form never sends them.
//
// The origin check applies to every state-changing request, with or without a session.
//
// Multipart bodies are read only by the routes that take files (marked with takesFiles, found in
// the app's own route table): those parse the body and then call `afterUpload`, which checks the
// request exactly like the rest. A multipart body sent to any other route is refused (415) here,
// before any route runs, so no route can be reached with a token-less multipart form.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { AppDeps } from '../deps';
import { HttpError } from '../lib/errors';
import { routeTable } from '../lib/route-table';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Pages and forms that keep the per-visitor token even without a session. */
const ACCOUNT_FORMS = /^\/(?:login|logout|setup|password\/|invite\/)/;

const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

export interface RequestProtection {
  /** res.locals.csrfToken(): the token for forms that need one, '' on anonymous public pages. */
  tokens: RequestHandler;
  /** Refuses forged and multipart requests before any route runs. */
  check: RequestHandler;
  /** For routes that take files, after their body is parsed. */
  afterUpload: RequestHandler;
}

/** Whether the request needs the double-submit token (a logged-in session or an account form). */
export function needsToken(req: Request): boolean {
  return Boolean(req.session?.userId || req.session?.hostId) || ACCOUNT_FORMS.test(req.path);
}

/** Whether a browser says the request comes from a page of this site (see the top of this file). */
export function fromThisSite(req: Request, baseUrl: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.get('origin');
  if (origin === undefined) return true;
  return origin === new URL(baseUrl).origin || origin === `${req.protocol}://${req.get('host')}`;
}

export function requestProtection(deps: Pick<AppDeps, 'config' | 'sessionSecret'>): RequestProtection {
  const { config } = deps;
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => deps.sessionSecret,
    getSessionIdentifier: (req) => (req.session?.userId || req.session?.hostId ? req.sessionID : 'anonymous'),
    cookieName: config.secureCookies ? '__Host-picket.csrf' : 'picket.csrf',
    cookieOptions: { sameSite: 'lax', secure: config.secureCookies, path: '/', httpOnly: true },
    getCsrfTokenFromRequest: (req) => req.get('x-csrf-token') ?? req.body?._csrf,
  });
  const forged = () => new HttpError(403, 'errors.csrf');
  const verify = (req: Request): HttpError | undefined => {
    if (!fromThisSite(req, config.BASE_URL)) return forged();
    if (needsToken(req) && !validateRequest(req)) return forged();
    return undefined;
  };

  return {
    tokens(req: Request, res: Response, next: NextFunction) {
      let token: string | undefined;
      res.locals.csrfToken = () => (needsToken(req) ? (token ??= generateCsrfToken(req, res)) : '');
      next();
    },
    check(req: Request, _res: Response, next: NextFunction) {
      if (READS.has(req.method)) return next();
      if (req.is('multipart/form-data')) {
        const route = routeTable(req.app).some((r) => r.takesFiles && r.methods.includes(req.method) && r.matches(req.path));
        if (!route) return next(new HttpError(415, 'errors.unsupportedBody'));
        // Headers only: a foreign upload is refused before its body is read; the token comes after.
        return next(fromThisSite(req, config.BASE_URL) ? undefined : forged());
      }
      if (req.body === undefined && req.is(BODY_TYPES) === false) return next(new HttpError(415, 'errors.unsupportedBody'));
      req.body ??= {};
      next(verify(req));
    },
    afterUpload(req: Request, _res: Response, next: NextFunction) {
      next(verify(req));
    },
  };
}
