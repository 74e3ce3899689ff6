// Admin: organiser accounts and invites.
import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import * as accounts from '../services/accounts';
import { accountsPage, setAccountDisabled } from '../services/admin-users';
import { email, parse } from '../lib/validation';
import { NotFound } from '../lib/errors';
import { requireAdmin } from './middleware';
import { USER_ROLES } from '../domain/enums';

const inviteForm = z.object({ email: email(), role: z.enum(USER_ROLES, { message: 'errors.invalid' }) });

export function adminRouter(deps: AppDeps): Router {
  const router = Router();
  router.use('/admin', requireAdmin);

  const usersPage = async (values: Record<string, unknown>, errors: Record<string, string>) => ({
    ...(await accountsPage(deps)),
    values,
    errors,
  });

  router.get('/admin/users', async (req, res) => {
    res.page('admin-users', { title: req.t('admin.users.title'), ...(await usersPage({ role: 'organiser' }, {})) });
  });

  router.post('/admin/invites', async (req, res) => {
    const parsed = parse(inviteForm, req.body);
    if (!parsed.ok) {
      return res.status(400).page('admin-users', { title: req.t('admin.users.title'), ...(await usersPage(req.body, parsed.errors)) });
    }
    const result = await accounts.invite(deps, req.user!, { ...parsed.data, locale: req.locale });
    if (!result.ok) {
      return res.status(400).page('admin-users', {
        title: req.t('admin.users.title'), ...(await usersPage(req.body, { email: 'admin.users.emailTaken' })),
      });
    }
    res.flash('success', 'admin.users.invited', { email: parsed.data.email });
    res.redirect(303, '/admin/users');
  });

  router.post('/admin/users/:id/:action', async (req, res) => {
    const id = Number(req.params.id);
    const action = req.params.action;
    if (!Number.isInteger(id) || !['disable', 'enable'].includes(String(action))) throw new NotFound();
    if ((await setAccountDisabled(deps, req.user!, id, action === 'disable')) === 'yourself') {
      res.flash('error', 'admin.users.notYourself');
      return res.redirect(303, '/admin/users');
    }
    res.flash('success', action === 'disable' ? 'admin.users.disabled' : 'admin.users.enabled');
    res.redirect(303, '/admin/users');
  });

  return router;
}
