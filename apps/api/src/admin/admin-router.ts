import type { DeliveryDeps } from '@crm-push/delivery';
import { Router } from 'express';
import type { AuthThrottle } from '../auth/auth-throttle';
import { route } from '../http/route';
import { requireAdminSession } from './admin-auth';
import { ADMIN_ROUTES } from './admin-routes';
import { BULL_BOARD_PATH, bullBoardRouter } from './bull-board';
import { destinationsPage } from './destinations-page';
import { failedPage } from './failed-page';
import { leadsPage } from './leads-page';
import { loginRouter } from './login';
import { panelApiRouter } from './panel-api';
import { PANEL_CSS, PANEL_JS } from './panel-script';
import { sourcesPage } from './sources-page';
import { AdminSessions } from './session';

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
  router.get('/admin/assets/panel.js', (_req, res) => void res.type('js').send(PANEL_JS));
  router.get('/admin/assets/panel.css', (_req, res) => void res.type('css').send(PANEL_CSS));
  router.use(loginRouter(sessions, throttle));

  router.use(BULL_BOARD_PATH, auth, bullBoardRouter(deps.queues.all()));
  router.use('/admin/api', auth, panelApiRouter(deps));
  route(router, ADMIN_ROUTES.panel, auth, leadsPage(deps.db));
  router.get('/admin/failed', auth, failedPage(deps.db));
  router.get('/admin/destinations', auth, destinationsPage(deps.db));
  router.get('/admin/sources', auth, sourcesPage(deps));
  return router;
}
