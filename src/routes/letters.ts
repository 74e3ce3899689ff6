// Letter templates: the campaign organiser's form, and the public page to fill in and print.
import { Router, Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { parse, requiredText } from '../lib/validation';
import * as letters from '../services/letters';
import { publicTemplatePage, templateEditPage, templatesPage } from '../services/letter-pages';
import { requireUser } from './middleware';

const templateForm = z.object({
  language: z.string({ message: 'errors.required' }).trim().toLowerCase().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/, 'media.errors.language'),
  title: requiredText(200),
  body: requiredText(20_000),
});

function idParam(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id < 1) throw new NotFound();
  return id;
}

export function lettersRouter(deps: AppDeps): Router {
  const router = Router();

  const listPage = async (req: Request, res: Response, status: number, values: Record<string, unknown>, errors: Record<string, string>) => {
    const { campaign, templates } = await templatesPage(deps, req.user, idParam(req));
    res.status(status).page('letter-templates', {
      title: req.t('media.letters.manageTitle', { title: campaign.title }),
      campaign,
      templates,
      values,
      errors,
    });
  };

  router.get('/organise/campaigns/:id/letters', requireUser, async (req, res) => {
    await listPage(req, res, 200, { language: req.locale }, {});
  });

  router.post('/organise/campaigns/:id/letters', requireUser, async (req, res) => {
    await letters.campaignTemplates(deps, req.user, idParam(req)); // ownership before validation
    const parsed = parse(templateForm, req.body);
    if (!parsed.ok) return listPage(req, res, 400, req.body, parsed.errors);
    await letters.createTemplate(deps, req.user, idParam(req), parsed.data);
    res.flash('success', 'media.letters.saved');
    res.redirect(303, `/organise/campaigns/${idParam(req)}/letters`);
  });

  const editPage = async (req: Request, res: Response, status: number, values: Record<string, unknown> | null, errors: Record<string, string>) => {
    const { template, campaign } = await templateEditPage(deps, req.user, idParam(req));
    res.status(status).page('letter-template-edit', {
      title: req.t('media.letters.editTitle'),
      campaign,
      template,
      values: values ?? { language: template.language, title: template.title, body: template.body },
      errors,
    });
  };

  router.get('/organise/letters/:id/edit', requireUser, (req, res) => editPage(req, res, 200, null, {}));

  router.post('/organise/letters/:id', requireUser, async (req, res) => {
    await letters.templateForEditing(deps, req.user, idParam(req)); // ownership before validation
    const parsed = parse(templateForm, req.body);
    if (!parsed.ok) return editPage(req, res, 400, req.body, parsed.errors);
    const template = await letters.updateTemplate(deps, req.user, idParam(req), parsed.data);
    res.flash('success', 'media.letters.saved');
    res.redirect(303, `/organise/campaigns/${template.campaign_id}/letters`);
  });

  router.post('/organise/letters/:id/delete', requireUser, async (req, res) => {
    const template = await letters.deleteTemplate(deps, req.user, idParam(req));
    res.flash('info', 'media.letters.deleted');
    res.redirect(303, `/organise/campaigns/${template.campaign_id}/letters`);
  });

  router.get('/letters/:id', async (req, res) => {
    const { template, campaign } = await publicTemplatePage(deps, idParam(req));
    res.page('letter', {
      title: template.title,
      template,
      campaign,
      head: '<link rel="stylesheet" href="/public/css/media.css">',
      bodyClass: 'printable-letter',
      scripts: ['/public/js/print-letter.js'],
    });
  });

  return router;
}
