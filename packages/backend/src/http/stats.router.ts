import { AdminStatsQuery, type UserPlacesResponse } from '@pychat/protocol';
import { Router } from 'express';
import type { LocationService } from '../services/location.service';
import type { StatsService } from '../services/stats.service';
import { currentUser } from './middleware/auth';
import { validate } from './validate';

/** GET /api/users/places: the country flags (PYCHAT_SHOW_COUNTRY). */
export function placesRouter(locations: LocationService): Router {
  return Router().get('/', async (_req, res) => {
    const places = await locations.places();
    const body: UserPlacesResponse = {
      enabled: locations.showCountry,
      places: Object.fromEntries(places.map(({ userId, ...place }) => [String(userId), place])),
    };
    res.json(body);
  });
}

/** /api/admin/stats/*: the site admin's statistics page. */
export function adminStatsRouter(stats: StatsService): Router {
  return Router().get('/overview', async (req, res) => {
    const { days } = validate(AdminStatsQuery, req.query);
    res.json(await stats.overview(currentUser(res), days));
  });
}
