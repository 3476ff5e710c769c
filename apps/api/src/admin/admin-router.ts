import type { DeliveryDeps } from '@crm-push/delivery';
import { join } from 'node:path';
import express, { Router } from 'express';
import type { AuthThrottle } from '../auth/auth-throttle';
import { route } from '../http/route';
import { requireAdminSession } from './admin-auth';
import { ADMIN_ROUTES } from './admin-routes';
import { BULL_BOARD_PATH, bullBoardRouter } from './bull-board';
import { destinationsPage } from './destinations-page';
import { failedPage } from './failed-page';
import { leadPage } from './lead-page';
import { leadsPage } from './leads-page';
import { loginRouter } from './login';
import { panelApiRouter } from './panel-api';
import { sourcesPage } from './sources-page';
import { AdminSessions } from './session';

/** The panel's script, stylesheet and icon: src/admin/assets, copied beside this file into dist by the build. */
const PANEL_ASSETS = join(__dirname, 'assets');

/**
 * Everything under /admin: login, the panel, its JSON actions and Bull Board. Mounted before the
 * api's JSON-only body handling, since the login form posts urlencoded.
 */
export function adminRouter(deps: DeliveryDeps, throttle: AuthThrottle): Router {
  const router = Router();
  const sessions = new AdminSessions(deps.config.ADMIN_TOKEN);
  const auth = requireAdminSession(sessions, throttle);

  router.use('/admin', (_req, res, next) => {
    // Nothing under /admin may be framed (Bull Board's buttons change state too).
    res.set({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
    next();
  });
  router.use('/admin/assets', express.static(PANEL_ASSETS, { index: false, redirect: false, fallthrough: true }));
  router.use(loginRouter(sessions, throttle));

  router.use(BULL_BOARD_PATH, auth, bullBoardRouter(deps.queues.all()));
  router.use('/admin/api', auth, panelApiRouter(deps));
  route(router, ADMIN_ROUTES.panel, auth, leadsPage(deps.db));
  router.get('/admin/leads/:id', auth, leadPage(deps.db));
  router.get('/admin/failed', auth, failedPage(deps));
  router.get('/admin/destinations', auth, destinationsPage(deps.db));
  router.get('/admin/sources', auth, sourcesPage(deps));
  return router;
}
