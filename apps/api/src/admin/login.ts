import express, { Router } from 'express';
import type { AuthThrottle } from '../auth/auth-throttle';
import { ApiError } from '../http/api-error';
import { crossOriginRefused, isSameOrigin } from './admin-auth';
import { html } from './html';
import { sendPage } from './layout';
import { SESSION_COOKIE, SESSION_TTL_MS, type AdminSessions } from './session';

/** Only back into the admin area: `next` must not become an open redirect. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(?:[/?#][^\\]*)?$/.test(next) && !next.startsWith('/admin/login') ? next : '/admin';
}

function loginPage(res: express.Response, next: string, error?: string, status = error ? 401 : 200) {
  sendPage(res, {
    title: 'Log in',
    nav: false,
    status,
    body: html`<form method="post" action="/admin/login" class="login">
<p>Enter the ADMIN_TOKEN of this installation (printed by the api at start when it was not set).</p>
${error ? html`<p class="error" data-role="login-error">${error}</p>` : ''}
<input type="hidden" name="next" value="${next}">
<label>Admin token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button>
</form>`,
  });
}

/** /admin/login and /admin/logout: a browser's way in, trading the token for a signed session cookie. */
export function loginRouter(sessions: AdminSessions, throttle: AuthThrottle): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/admin/login', (req, res) => loginPage(res, safeNext(req.query.next)));

  router.post('/admin/login', form, async (req, res, next) => {
    if (!isSameOrigin(req)) return next(crossOriginRefused());
    const target = safeNext(req.body?.next);
    const token = typeof req.body?.token === 'string' ? req.body.token : undefined;
    let ok: true | undefined;
    try {
      ok = await throttle.verify(req, () => sessions.isAdminToken(token) || undefined);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 429)) throw err;
      res.set(err.headers);
      return loginPage(res, target, 'Too many wrong tokens from this address. Try again later.', 429);
    }
    if (!ok) return loginPage(res, target, 'That is not the admin token.');
    res.cookie(SESSION_COOKIE, sessions.issue(), {
      httpOnly: true,
      sameSite: 'strict',
      // Behind a TLS-terminating proxy req.secure is false ('trust proxy' is off): the cookie then
      // goes without Secure, which is the price of not trusting X-Forwarded-Proto blindly.
      secure: req.secure,
      path: '/admin',
      maxAge: SESSION_TTL_MS,
    });
    res.redirect(303, target);
  });

  router.post('/admin/logout', (req, res, next) => {
    if (!isSameOrigin(req)) return next(crossOriginRefused());
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/admin' });
    res.redirect(303, '/admin/login');
  });

  return router;
}
