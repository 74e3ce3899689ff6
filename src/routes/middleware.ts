import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { Forbidden } from '../lib/errors';
import { hasAccounts, signedInUser } from '../services/sessions';
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
    res.locals.user = req.user ?? null;
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
  if (req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  next(new Forbidden('errors.loginRequired'));
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
