import type { RouteTable } from '../http/route';
import { BULL_BOARD_PATH } from './bull-board';

const NO_SESSION = { description: 'A browser without a session is sent to /admin/login.' };

/**
 * The admin pages the API document shows. The panel's other pages and its JSON calls are for the
 * panel itself and stay out of the document (the live document test names them).
 */
export const ADMIN_ROUTES = {
  panel: {
    method: 'get',
    path: '/admin',
    tag: 'Operations',
    summary: 'Admin panel (HTML)',
    description: 'For a browser: leads, failed deliveries with Retry, destinations with Test connection.',
    auth: 'adminPage',
    responses: { 200: { description: 'The admin panel.', contentType: 'text/html' }, 303: NO_SESSION },
  },
  /** Bull Board is a mounted app (every method, every subpath); the document shows its page. */
  queues: {
    method: 'get',
    path: BULL_BOARD_PATH,
    tag: 'Operations',
    summary: 'Bull Board (HTML)',
    description: 'For a browser: every BullMQ queue of the system.',
    auth: 'adminPage',
    responses: { 200: { description: 'Bull Board.', contentType: 'text/html' }, 303: NO_SESSION },
  },
} satisfies RouteTable;
