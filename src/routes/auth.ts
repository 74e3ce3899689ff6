// Setup of the first admin, login and logout, invites, password resets.
import { Router, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import * as accounts from '../services/accounts';
import { email, parse, password, requiredText } from '../lib/validation';
import { limitRequests } from '../lib/rate-limits';
import { safeNext } from './middleware';
import { setLanguageCookie } from './language';

const setupForm = z.object({ name: requiredText(100), email: email(), password: password() });
const loginForm = z.object({ email: email(), password: z.string().min(1, 'errors.required'), next: z.string().optional() });
const forgotForm = z.object({ email: email() });
const newPasswordForm = z
  .object({ password: password(), confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: 'errors.passwordMismatch', path: ['confirm'] });
const acceptForm = z
  .object({ name: requiredText(100), password: password(), confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: 'errors.passwordMismatch', path: ['confirm'] });

/** Starts a fresh session for `userId` (a new id defeats session fixation). */
function logIn(req: Request, userId: number): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.userId = userId;
      req.session.save((saveErr) => (saveErr ? reject(saveErr) : resolve()));
    }),
  );
}

export function authRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/setup', async (req, res) => {
    if (req.user || (await accounts.checkSetupDone(deps))) return res.redirect(303, '/login');
    res.page('setup', { title: req.t('auth.setup.title'), values: {}, errors: {} });
  });

  router.post('/setup', async (req, res) => {
    const parsed = parse(setupForm, req.body);
    if (!parsed.ok) {
      // The summary names each field ("Password: use at least 10 characters"), not only the problem.
      const errorLabels = { name: req.t('auth.fields.name'), email: req.t('auth.fields.email'), password: req.t('auth.fields.password') };
      return res.status(400).page('setup', { title: req.t('auth.setup.title'), values: req.body, errors: parsed.errors, errorLabels });
    }
    const result = await accounts.createFirstAdmin(deps, parsed.data);
    if (!result.ok) {
      res.flash('error', 'auth.setup.alreadyDone');
      return res.redirect(303, '/login');
    }
    await logIn(req, result.user.id);
    res.flash('success', 'auth.setup.done');
    res.redirect(303, '/organise');
  });

  const address = (req: Request) => ipKeyGenerator(req.ip ?? '');
  const refuseLogin = (req: Request, res: Response) => {
    res.status(429).page('login', {
      title: req.t('auth.login.title'), values: { email: req.body?.email ?? '' }, errors: {}, formError: 'errors.tooManyLogins',
    });
  };
  // Only failed log-ins count. Per address and account: guessing one account's password is slowed,
  // others can still log in; per address across accounts: one password tried on every account
  // (spraying) is slowed too.
  const loginLimits = [
    limitRequests(deps.db, {
      name: 'login', points: deps.config.LOGIN_RATE_LIMIT, seconds: 15 * 60, secret: deps.sessionSecret, onlyFailures: true,
      key: (req) => `${address(req)}|${String(req.body?.email ?? '').trim().toLowerCase()}`, refuse: refuseLogin,
    }),
    limitRequests(deps.db, {
      name: 'login-address', points: deps.config.LOGIN_ADDRESS_RATE_LIMIT, seconds: 15 * 60, secret: deps.sessionSecret,
      onlyFailures: true, key: address, refuse: refuseLogin,
    }),
  ];
  // Every reset request counts (the answer is always the same, so success cannot be told apart);
  // the e-mails per account are capped in the service, whatever the source.
  const resetLimit = limitRequests(deps.db, {
    name: 'reset-address', points: deps.config.PASSWORD_RESET_RATE_LIMIT, seconds: 3600, secret: deps.sessionSecret, key: address,
    refuse: (req, res) => {
      res.status(429).page('password-forgot', {
        title: req.t('auth.forgot.title'), values: { email: req.body?.email ?? '' }, errors: {}, formError: 'errors.tooManyResets',
      });
    },
  });

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, safeNext(req.query.next));
    res.page('login', { title: req.t('auth.login.title'), values: { next: req.query.next ?? '' }, errors: {} });
  });

  router.post('/login', ...loginLimits, async (req, res) => {
    const parsed = parse(loginForm, req.body);
    const values = { email: req.body?.email ?? '', next: req.body?.next ?? '' };
    if (!parsed.ok) {
      return res.status(400).page('login', { title: req.t('auth.login.title'), values, errors: parsed.errors });
    }
    const user = await accounts.authenticate(deps, parsed.data.email, parsed.data.password);
    if (!user) {
      return res.status(401).page('login', { title: req.t('auth.login.title'), values, errors: {}, formError: 'auth.login.wrong' });
    }
    await logIn(req, user.id);
    // An organiser who chose a language before gets it back on a new device.
    if (user.locale && user.locale !== req.locale && deps.i18n.languages.includes(user.locale)) {
      setLanguageCookie(res, user.locale, deps.config.secureCookies);
    }
    res.redirect(303, safeNext(parsed.data.next));
  });

  router.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('picket.sid');
      res.flash('info', 'auth.logout.done');
      res.redirect(303, '/');
    });
  });

  router.get('/password/forgot', (req, res) => {
    res.page('password-forgot', { title: req.t('auth.forgot.title'), values: {}, errors: {} });
  });

  router.post('/password/forgot', resetLimit, async (req, res) => {
    const parsed = parse(forgotForm, req.body);
    if (!parsed.ok) {
      return res.status(400).page('password-forgot', { title: req.t('auth.forgot.title'), values: req.body, errors: parsed.errors });
    }
    await accounts.requestPasswordReset(deps, parsed.data.email, req.locale);
    res.page('message', { title: req.t('auth.forgot.title'), messageKey: 'auth.forgot.sent' });
  });

  const resetPage = (res: Response, req: Request, status: number, locals: Record<string, unknown>) =>
    res.status(status).page('password-reset', { title: req.t('auth.reset.title'), token: req.params.token, errors: {}, ...locals });

  router.get('/password/reset/:token', async (req, res) => {
    const state = await accounts.checkReset(deps, String(req.params.token));
    if (state !== 'valid') return res.status(410).page('message', { title: req.t('auth.reset.title'), messageKey: `auth.reset.${state}` });
    resetPage(res, req, 200, {});
  });

  router.post('/password/reset/:token', async (req, res) => {
    const parsed = parse(newPasswordForm, req.body);
    if (!parsed.ok) return resetPage(res, req, 400, { errors: parsed.errors });
    const result = await accounts.resetPassword(deps, String(req.params.token), parsed.data.password);
    if (!result.ok) return res.status(410).page('message', { title: req.t('auth.reset.title'), messageKey: `auth.reset.${result.reason}` });
    res.flash('success', 'auth.reset.done');
    res.redirect(303, '/login');
  });

  router.get('/invite/:token', async (req, res) => {
    const { state, invite } = await accounts.checkInvite(deps, String(req.params.token));
    if (state !== 'valid') return res.status(410).page('message', { title: req.t('auth.invite.title'), messageKey: `auth.invite.${state}` });
    res.page('invite-accept', { title: req.t('auth.invite.title'), email: invite!.email, token: req.params.token, values: {}, errors: {} });
  });

  router.post('/invite/:token', async (req, res) => {
    const { state, invite } = await accounts.checkInvite(deps, String(req.params.token));
    if (state !== 'valid') return res.status(410).page('message', { title: req.t('auth.invite.title'), messageKey: `auth.invite.${state}` });
    const parsed = parse(acceptForm, req.body);
    if (!parsed.ok) {
      return res.status(400).page('invite-accept', {
        title: req.t('auth.invite.title'), email: invite!.email, token: req.params.token, values: { name: req.body?.name ?? '' }, errors: parsed.errors,
      });
    }
    const result = await accounts.acceptInvite(deps, String(req.params.token), parsed.data);
    if (!result.ok) return res.status(410).page('message', { title: req.t('auth.invite.title'), messageKey: `auth.invite.${result.reason}` });
    await logIn(req, result.user.id);
    res.flash('success', 'auth.invite.welcome', { name: result.user.name });
    res.redirect(303, '/organise');
  });

  return router;
}
