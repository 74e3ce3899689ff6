import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { Forbidden } from '../lib/errors';
import { hasAccounts, signedInUser } from '../services/sessions';
import { signedInHost } from '../services/hosts';
import { mayAdminister } from '../services/sessions';

/** Puts the logged-in organiser (if any) on req.user and res.locals.user. */
export function loadUser(deps: Pick<AppDeps, 'db'>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const id = req.session?.userId;
    if (id) {
      const user = await signedInUser(deps, id);
      if (user) req.user = user;
      else delete req.session.userId;
    }
    const hostId = req.session?.hostId;
    if (hostId && !req.user) {
      // A host session: its pickets are read afresh on every request, and a revoked host is out at once.
      const signedIn = await signedInHost(deps, hostId);
      if (signedIn) {
        req.hostActor = signedIn.actor;
        res.locals.hostName = signedIn.host.name;
      } else delete req.session.hostId;
    }
    req.actor = req.user ?? req.hostActor;
    res.locals.user = req.user ?? null;
    res.locals.signedInHost = Boolean(req.hostActor);
    // Views show admin links from this answer; they never look at roles themselves.
    res.locals.mayAdminister = mayAdminister(req.user);
    next();
  };
}

/** On a fresh install every page leads to creating the first admin account. */
export function needsFirstRun(deps: Pick<AppDeps, 'db'>) {
  let done = false;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (done || req.path === '/setup' || req.path.startsWith('/api/')) return next();
    if (await hasAccounts(deps)) {
      done = true;
      return next();
    }
    res.redirect(303, '/setup');
  };
}

export function requireUser(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  // A host signed in by link is someone, just not an organiser: refused, not sent to log in.
  if (req.hostActor) return next(new Forbidden());
  if (req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  next(new Forbidden('errors.loginRequired'));
}

/** An organiser, an admin, or a host signed in by link: the service and the policy decide what each may touch. */
export function requireActor(req: Request, res: Response, next: NextFunction) {
  if (req.actor) return next();
  return requireUser(req, res, next);
}

export function requireAdmin(req: Request, res: Response, next: NextFunction) {
  if (!req.user) return requireUser(req, res, next);
  if (!mayAdminister(req.user)) return next(new Forbidden());
  next();
}

/** Only same-site relative paths are followed after login. */
export function safeNext(value: unknown, fallback = '/organise'): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback;
}
