import type { Request, RequestHandler } from 'express';
import type { AuthThrottle } from '../auth/auth-throttle';
import { ApiError } from '../http/api-error';
import { bearerOf, unauthorized } from '../http/auth';
import { readCookie, SESSION_COOKIE, type AdminSessions } from './session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request made with the session cookie must come from our own pages. The
 * cookie is SameSite=Strict already; this check also covers same-site-but-other-origin pages
 * (another app on a sibling subdomain). Browsers send Origin on every non-GET fetch and form
 * POST; Sec-Fetch-Site is the fallback. Scripts use the bearer token and are not affected.
 */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin) {
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false; // includes "null"
    }
  }
  return req.headers['sec-fetch-site'] === 'same-origin';
}

export function crossOriginRefused(): ApiError {
  return new ApiError(403, 'CROSS_ORIGIN_REFUSED', 'this request must come from the admin panel itself');
}

/**
 * Admin access for the panel and Bull Board: `Authorization: Bearer <ADMIN_TOKEN>` (scripts) or
 * the signed session cookie from /admin/login (browsers). A browser without a session is sent to
 * the login page; anything else gets the usual 401 envelope.
 */
export function requireAdminSession(sessions: AdminSessions, throttle: AuthThrottle): RequestHandler {
  return async (req, res, next) => {
    const bearer = bearerOf(req);
    if (bearer !== undefined) {
      const ok = await throttle.verify(req, () => sessions.isAdminToken(bearer) || undefined);
      return ok ? next() : next(unauthorized('invalid admin token'));
    }
    if (sessions.verify(readCookie(req.headers.cookie, SESSION_COOKIE))) {
      return SAFE_METHODS.has(req.method) || isSameOrigin(req) ? next() : next(crossOriginRefused());
    }
    if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
      return res.redirect(303, `/admin/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    next(unauthorized('admin token required: log in at /admin/login or send Authorization: Bearer <ADMIN_TOKEN>'));
  };
}
