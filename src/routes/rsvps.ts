// RSVPs from the public: the form on an event page, and the secret manage link.
import { Router, Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import type { EventRow, RsvpRow } from '../db/tables';
import { limitRequests } from '../lib/rate-limits';
import { email, optionalText, parse, requiredText, FieldErrors } from '../lib/validation';
import { goneEventView, managePage as manageView, rsvpEventView, rsvpFormPage } from '../services/rsvp-pages';
import * as rsvps from '../services/rsvps';
import { keyFrom } from '../services/idempotency';
import { submitRsvpOnce } from '../services/rsvp-once';
import { organiseRsvpsRouter } from './organise-rsvps';
import { eventIdParam } from './params';
import { RSVP_ROLES } from '../domain/enums';

const role = z.enum(RSVP_ROLES, { message: 'errors.invalid' }).default('attendee');
const emptyToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v);

const rsvpForm = z.object({
  name: requiredText(100),
  email: z.preprocess(emptyToNull, email().nullable().default(null)),
  role,
  note: optionalText(1000),
});
const ownRsvpForm = z.object({ name: requiredText(100), role, note: optionalText(1000) });

/** Valid manage tokens are never logged, cached or sent on as a referrer. */
function privatePage(res: Response) {
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' });
}

export function rsvpsRouter(deps: AppDeps): Router {
  const router = Router();
  router.use(organiseRsvpsRouter(deps));

  const formPage = async (req: Request, res: Response, status: number, event: EventRow, values: Record<string, unknown>, errors: FieldErrors) => {
    const { _form: formError, ...fieldErrors } = errors;
    const page = await rsvpFormPage(deps, event, req.locale, { values, errors: fieldErrors, formError });
    res.status(status).page('rsvp-form', { title: event.title, ...page, errors: fieldErrors });
  };

  const limiter = limitRequests(deps.db, {
    name: 'rsvp', points: deps.config.RSVP_RATE_LIMIT, seconds: 10 * 60, secret: deps.sessionSecret,
    key: (req) => ipKeyGenerator(req.ip ?? ''),
    refuse: (req, res) => {
      res.status(429).page('message', { title: req.t('rsvps.rateLimited.title'), messageKey: 'rsvps.rateLimited.body' });
    },
  });

  router.get('/events/:id/rsvp', async (req, res) => {
    const event = await rsvps.publicEvent(deps, eventIdParam(req.params.id));
    await formPage(req, res, 200, event, {}, {});
  });

  router.post('/events/:id/rsvp', limiter, async (req, res) => {
    const eventId = eventIdParam(req.params.id);
    // A phone's queue (offline/queue.js) asks for JSON; a form with scripts off gets pages.
    const json = req.accepts(['html', 'json']) === 'json';
    const values = { name: req.body?.name ?? '', email: req.body?.email ?? '', role: req.body?.role ?? 'attendee', note: req.body?.note ?? '' };
    const refuse = async (status: number, event: EventRow, errors: FieldErrors) => {
      if (!json) return formPage(req, res, status, event, values, errors);
      const { _form: formError, ...fields } = errors;
      const named = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, req.t(v)]));
      res.status(status).json({ error: formError ? req.t(formError) : Object.values(named)[0], status, fields: named });
    };
    const key = keyFrom(req.get('idempotency-key') ?? req.body?.idempotency_key);
    if (key === 'invalid') return refuse(400, await rsvps.publicEvent(deps, eventId), { idempotency_key: 'errors.invalid' });
    const parsed = parse(rsvpForm, req.body ?? {});
    if (!parsed.ok) return refuse(400, await rsvps.publicEvent(deps, eventId), parsed.errors);
    // The service locks and checks the event itself: no extra query on the busy path. With a key
    // (every form sent by a page with scripts), a second arrival answers as the first did.
    const input = { ...parsed.data, locale: req.locale };
    const result = key ? await submitRsvpOnce(deps, eventId, input, key) : await rsvps.submitRsvp(deps, eventId, input);
    if (!result.ok) return refuse(result.errors._form === 'rsvps.closed.full' ? 409 : 400, result.event, result.errors);
    const { rsvp } = result;
    const message = !rsvp.email ? 'rsvps.done.headcount' : rsvp.status === 'going' ? 'rsvps.done.going' : rsvp.status === 'waitlisted' ? 'rsvps.done.waitlisted' : 'rsvps.done.requested';
    // Head-count only: the manage link exists nowhere but on this person's screen.
    const next = rsvp.email ? `/events/${result.eventId}/rsvp/done` : `/rsvp/${rsvp.token}`;
    if (json) {
      privatePage(res);
      if ('replayed' in result && result.replayed) res.set('Idempotent-Replayed', 'true');
      return res.status(201).json({ ok: true, status: rsvp.status, message: req.t(message), next, manage: !rsvp.email });
    }
    res.flash('success', message);
    res.redirect(303, next);
  });

  router.get('/events/:id/rsvp/done', async (req, res) => {
    const event = await rsvps.publicEvent(deps, eventIdParam(req.params.id));
    res.page('rsvp-done', { title: req.t('rsvps.done.title'), eventView: rsvpEventView(event, req.locale) });
  });

  router.get('/rsvp/cancelled', (req, res) => {
    res.page('message', { title: req.t('rsvps.manage.cancelledTitle'), messageKey: 'rsvps.manage.cancelledBody' });
  });

  // After cancelling: the way back to the picket (someone may change their mind).
  router.get('/events/:id/rsvp/cancelled', async (req, res) => {
    const event = await rsvps.publicEvent(deps, eventIdParam(req.params.id));
    res.page('rsvp-cancelled', { title: req.t('rsvps.manage.cancelledTitle'), eventView: rsvpEventView(event, req.locale) });
  });

  const gone = (req: Request, res: Response, state: rsvps.ManageState, event?: EventRow) => {
    privatePage(res);
    const status = state === 'unknown' ? 404 : 410;
    res.status(status).page('rsvp-gone', { title: req.t(`rsvps.gone.${state}.title`), state, eventView: goneEventView(event, req.locale) });
  };

  const managePage = (
    req: Request, res: Response, status: number, found: rsvps.Managed,
    values?: Record<string, unknown>, errors: FieldErrors = {},
  ) => {
    privatePage(res);
    const rsvp = found.rsvp!;
    const event = found.event!;
    const view = manageView(deps, rsvp, event, req.locale);
    res.status(status).page('rsvp-manage', {
      title: req.t('rsvps.manage.title'),
      token: rsvp.token,
      manageUrl: `${deps.config.BASE_URL}/rsvp/${rsvp.token}`,
      ...view,
      open: !found.locked,
      locked: found.locked ?? null,
      values: values ?? view.own,
      errors,
      roles: RSVP_ROLES,
    });
  };

  router.get('/rsvp/:token', async (req, res) => {
    const found = await rsvps.findByToken(deps, String(req.params.token));
    if (found.state !== 'valid') return gone(req, res, found.state, found.event);
    managePage(req, res, 200, found);
  });

  router.post('/rsvp/:token', async (req, res) => {
    const token = String(req.params.token);
    const found = await rsvps.findByToken(deps, token);
    if (found.state !== 'valid') return gone(req, res, found.state, found.event);
    const parsed = parse(ownRsvpForm, req.body ?? {});
    if (!parsed.ok) return managePage(req, res, 400, found, { ...req.body }, parsed.errors);
    const updated = await rsvps.updateOwnRsvp(deps, token, parsed.data);
    if (updated.state !== 'valid') return gone(req, res, updated.state, updated.event);
    if (updated.locked) return managePage(req, res, 409, updated);
    res.flash('success', 'rsvps.manage.saved');
    res.redirect(303, `/rsvp/${token}`);
  });

  router.post('/rsvp/:token/cancel', async (req, res) => {
    const result = await rsvps.cancelOwnRsvp(deps, String(req.params.token));
    if (result.state !== 'valid') return gone(req, res, result.state, result.event);
    if (result.locked) return managePage(req, res, 409, result);
    res.flash('success', 'rsvps.manage.cancelledFlash');
    res.redirect(303, `/events/${result.event!.id}/rsvp/cancelled`);
  });

  return router;
}
