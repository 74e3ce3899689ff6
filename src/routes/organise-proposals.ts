// The organisers' side of open calls (issue 17): the queue of proposals (edit, approve, decline
// with a message), the switch of each campaign's call, and its hosts (trust, revoke).
import { Router, Request } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { optionalText, parse, FieldErrors } from '../lib/validation';
import * as proposals from '../services/proposals';
import * as hosts from '../services/hosts';
import { isVenueSearch } from './event-form';
import { requireUser } from './middleware';
import { proposalFormLocals, proposalSchema, proposalValues } from './proposals';

const declineSchema = z.object({ message: optionalText(2000) });

function idParam(req: Request, name = 'id'): number {
  const raw = String(req.params[name] ?? '');
  if (!/^\d{1,9}$/.test(raw)) throw new NotFound();
  return Number(raw);
}

export function organiseProposalsRouter(deps: AppDeps): Router {
  const router = Router();
  router.use(['/organise/proposals', '/organise/hosts', '/organise/calls'], requireUser);

  router.get('/organise/proposals', async (req, res) => {
    const page = await proposals.proposalsPage(deps, req.user!, req.locale);
    res.page('organise-proposals', { title: req.t('proposals.queue.title'), ...page });
  });

  const editPage = async (req: Request, res: import('express').Response, status: number, id: number, values?: Record<string, unknown>, errors: FieldErrors = {}) => {
    const { proposal, campaign, host } = await proposals.proposalFor(deps, req.user!, id);
    const shown = values ?? proposals.proposalValues(proposal);
    res.status(status).page('proposal-form', {
      title: req.t('proposals.edit.title', { title: proposal.title }),
      campaign: { id: campaign.id, title: campaign.title, slug: campaign.slug, target: campaign.target_country },
      proposal: { id: proposal.id, status: proposal.status, declineMessage: proposal.decline_message, eventId: proposal.event_id },
      host: { id: host.id, name: host.name, email: host.email, trusted: host.trusted, revoked: Boolean(host.revoked_at) },
      values: shown, errors, action: `/organise/proposals/${proposal.id}`, publicForm: false,
      ...(await proposalFormLocals(deps, req, shown)),
    });
  };

  router.get('/organise/proposals/:id', async (req, res) => editPage(req, res, 200, idParam(req)));

  router.post('/organise/proposals/:id', async (req, res) => {
    const id = idParam(req);
    await proposals.proposalFor(deps, req.user!, id); // 404/403 before reading the form
    const values = proposalValues(req.body);
    if (isVenueSearch(req.body)) return editPage(req, res, 200, id, values);
    const parsed = parse(proposalSchema, req.body);
    if (!parsed.ok) return editPage(req, res, 400, id, values, parsed.errors);
    const result = await proposals.editProposal(deps, req.user!, id, parsed.data);
    if (!result.ok) return editPage(req, res, 400, id, values, result.errors);
    res.flash('success', 'proposals.flash.saved');
    res.redirect(303, `/organise/proposals/${id}`);
  });

  router.post('/organise/proposals/:id/approve', async (req, res) => {
    const event = await proposals.approve(deps, req.user!, idParam(req));
    res.flash('success', 'proposals.flash.approved');
    res.redirect(303, `/organise/events/${event.id}`);
  });

  router.post('/organise/proposals/:id/decline', async (req, res) => {
    const id = idParam(req);
    await proposals.proposalFor(deps, req.user!, id);
    const parsed = parse(declineSchema, req.body);
    if (!parsed.ok) return editPage(req, res, 400, id, undefined, { message: parsed.errors.message });
    await proposals.decline(deps, req.user!, id, parsed.data.message);
    res.flash('success', 'proposals.flash.declined');
    res.redirect(303, '/organise/proposals');
  });

  router.post('/organise/calls/:id', async (req, res) => {
    const open = req.body?.open === '1';
    await proposals.setCallOpen(deps, req.user!, idParam(req), open);
    res.flash('success', open ? 'proposals.flash.opened' : 'proposals.flash.closed');
    res.redirect(303, '/organise/proposals');
  });

  router.post('/organise/hosts/:id/trust', async (req, res) => {
    const trusted = req.body?.trusted === '1';
    await hosts.setTrusted(deps, req.user!, idParam(req), trusted);
    res.flash('success', trusted ? 'proposals.flash.trusted' : 'proposals.flash.untrusted');
    res.redirect(303, typeof req.body?.back === 'string' && /^\/organise\/proposals(\/\d+)?$/.test(req.body.back) ? req.body.back : '/organise/proposals');
  });

  router.post('/organise/hosts/:id/revoke', async (req, res) => {
    await hosts.revoke(deps, req.user!, idParam(req));
    res.flash('success', 'proposals.flash.revoked');
    res.redirect(303, '/organise/proposals');
  });

  return router;
}
