// The places directory: admins add and edit venues; anyone may search the bundled city list.
import { Router, Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import type { VenueRow } from '../db/tables';
import { BadRequest } from '../lib/errors';
import { countryOptions, isCountryCode, searchCities } from '../lib/places';
import { FieldErrors, parseOrThrow } from '../lib/validation';
import * as service from '../services/venues';
import { requireAdmin } from './middleware';

const citySearch = z.object({
  q: z.string({ message: 'errors.required' }).trim().min(2, 'errors.required').max(100, 'errors.tooLong'),
  country: z.string().trim().toUpperCase().refine((v) => v === '' || isCountryCode(v), 'errors.countryCode')
    .optional().default(''),
  limit: z.coerce.number().int().min(1).max(50).optional().default(10),
});

function venueValues(v: VenueRow) {
  return { ...v, represents: v.represents ?? '', latitude: String(v.latitude), longitude: String(v.longitude) };
}

export function venuesRouter(deps: AppDeps): Router {
  const router = Router();
  const id = (value: unknown) => (/^\d{1,9}$/.test(String(value)) ? Number(value) : NaN);

  // Public and anonymous: the event form's city search. The list ships with the app, so what
  // people search for never leaves the server.
  router.get('/api/places/search', (req, res) => {
    const query = parseOrThrow(citySearch, req.query);
    const results = searchCities(query.q, { limit: query.limit, country: query.country || undefined });
    res.set('Cache-Control', 'public, max-age=86400');
    res.json({ results });
  });

  router.use('/admin/venues', requireAdmin);

  router.get('/admin/venues', async (req, res) => {
    res.page('venue-list', { title: req.t('venues.title'), venues: await service.listVenues(deps) });
  });

  const formPage = (req: Request, res: Response, status: number, venue: VenueRow | null, values: object, errors: FieldErrors) =>
    res.status(status).page('venue-form', {
      title: req.t(venue ? 'venues.editTitle' : 'venues.newTitle'),
      venue, values, errors, countries: countryOptions(req.locale),
    });

  const save = async (req: Request, res: Response, venue: VenueRow | null) => {
    try {
      await service.saveVenue(deps, venue?.id, req.body);
    } catch (error) {
      if (error instanceof BadRequest) return formPage(req, res, 400, venue, req.body, error.fields);
      throw error;
    }
    res.flash('success', 'venues.saved');
    res.redirect(303, '/admin/venues');
  };

  router.get('/admin/venues/new', (req, res) => formPage(req, res, 200, null, { kind: 'embassy' }, {}));
  router.post('/admin/venues', (req, res) => save(req, res, null));

  router.get('/admin/venues/:id', async (req, res) => {
    const venue = await service.getVenue(deps, id(req.params.id));
    formPage(req, res, 200, venue, venueValues(venue), {});
  });

  router.post('/admin/venues/:id', async (req, res) => save(req, res, await service.getVenue(deps, id(req.params.id))));

  return router;
}
