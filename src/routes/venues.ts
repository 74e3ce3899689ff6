// Places: admins keep the shared directory; organisers edit the places they added for their own
// pickets; anyone may search the bundled city list; organisers search the places they may use.
import { Router, Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import type { VenueRow } from '../db/tables';
import { BadRequest } from '../lib/errors';
import { countryOptions, isCountryCode, searchCities } from '../lib/places';
import { FieldErrors, parseOrThrow } from '../lib/validation';
import * as service from '../services/venues';
import { requireAdmin, requireUser } from './middleware';

const countryFilter = z.string().trim().toUpperCase().refine((v) => v === '' || isCountryCode(v), 'errors.countryCode')
  .optional().default('');

const citySearch = z.object({
  q: z.string({ message: 'errors.required' }).trim().min(2, 'errors.required').max(100, 'errors.tooLong'),
  country: countryFilter,
  limit: z.coerce.number().int().min(1).max(50).optional().default(10),
});

/** The place finder: places by name (q), or those in one city (city and country). */
const placeSearch = z.object({
  q: z.string().trim().max(100, 'errors.tooLong').optional().default(''),
  city: z.string().trim().max(100, 'errors.tooLong').optional().default(''),
  country: countryFilter,
  limit: z.coerce.number().int().min(1).max(50).optional().default(20),
}).refine((s) => s.q.length >= 2 || (s.city && s.country), { message: 'errors.required', path: ['q'] });

function venueValues(v: VenueRow) {
  return { ...v, represents: v.represents ?? '', latitude: String(v.latitude), longitude: String(v.longitude) };
}

const formAssets = {
  head: '<link rel="stylesheet" href="/vendor/leaflet/leaflet.css">',
  scripts: ['/vendor/leaflet/leaflet.js', '/vendor/topojson/topojson-client.min.js', '/public/js/offline/base-map.js', '/public/js/point-picker.js'],
};

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

  const formPage = (req: Request, res: Response, status: number, page: { venue: VenueRow | null; action: string; back: string },
    values: object, errors: FieldErrors) =>
    res.status(status).page('venue-form', {
      title: req.t(page.venue ? 'venues.editTitle' : 'venues.newTitle'),
      ...page, values, errors, countries: countryOptions(req.locale), ...formAssets,
    });

  // --- the organiser's own places ---------------------------------------------------------
  router.use('/organise/places', requireUser);

  router.get('/organise/places/search', async (req, res) => {
    const query = parseOrThrow(placeSearch, req.query);
    const results = await service.findPlaces(deps, req.user!, { q: query.q, city: query.city, country: query.country, limit: query.limit });
    res.set('Cache-Control', 'private, no-store');
    res.json({ results });
  });

  router.get('/organise/places', async (req, res) => {
    res.page('places-own', { title: req.t('places.title'), places: await service.listOwnPlaces(deps, req.user!) });
  });

  const ownPage = (venue: VenueRow) => ({ venue, action: `/organise/places/${venue.id}`, back: '/organise/places' });

  router.get('/organise/places/:id', async (req, res) => {
    const venue = await service.getVenue(deps, req.user!, id(req.params.id));
    formPage(req, res, 200, ownPage(venue), venueValues(venue), {});
  });

  router.post('/organise/places/:id', async (req, res) => {
    const venue = await service.getVenue(deps, req.user!, id(req.params.id));
    try {
      await service.updatePlace(deps, req.user!, venue.id, req.body);
    } catch (error) {
      if (error instanceof BadRequest && Object.keys(error.fields).length) return formPage(req, res, 400, ownPage(venue), req.body, error.fields);
      throw error;
    }
    res.flash('success', 'venues.saved');
    res.redirect(303, '/organise/places');
  });

  // --- the shared directory ------------------------------------------------------------------
  router.use('/admin/venues', requireAdmin);

  router.get('/admin/venues', async (req, res) => {
    res.page('venue-list', { title: req.t('venues.title'), venues: await service.listVenues(deps) });
  });

  const adminPage = (venue: VenueRow | null) => ({ venue, action: venue ? `/admin/venues/${venue.id}` : '/admin/venues', back: '/admin/venues' });

  const save = async (req: Request, res: Response, venue: VenueRow | null) => {
    try {
      await service.saveVenue(deps, req.user!, venue, req.body);
    } catch (error) {
      if (error instanceof BadRequest && Object.keys(error.fields).length) return formPage(req, res, 400, adminPage(venue), req.body, error.fields);
      throw error;
    }
    res.flash('success', 'venues.saved');
    res.redirect(303, '/admin/venues');
  };

  router.get('/admin/venues/new', (req, res) => formPage(req, res, 200, adminPage(null), { kind: 'embassy' }, {}));
  router.post('/admin/venues', (req, res) => save(req, res, null));

  router.get('/admin/venues/:id', async (req, res) => {
    const venue = await service.getVenue(deps, req.user!, id(req.params.id));
    formPage(req, res, 200, adminPage(venue), venueValues(venue), {});
  });

  router.post('/admin/venues/:id', async (req, res) => save(req, res, await service.getVenue(deps, req.user!, id(req.params.id))));

  return router;
}
