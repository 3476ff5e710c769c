import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { ApiKeyResolver, ApiKeyScope, ResolvedKey } from '../auth/api-key-resolver';
import type { AuthThrottle } from '../auth/auth-throttle';
import { ApiError } from './api-error';

export function bearerOf(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** `Authorization: Bearer <apiKey>`, or `x-api-key: <apiKey>` for clients written against that header. */
function apiKeyOf(req: Request): string | undefined {
  return bearerOf(req) ?? (req.get('x-api-key')?.trim() || undefined);
}

/**
 * Scopes the request to the account owning the API key; every /v1 query then filters by it.
 * A key this process resolved recently passes without I/O (a valid key is not a guess, so the
 * throttle is not asked); any other key is checked against the throttle and PostgreSQL.
 */
export function requireAccount(keys: ApiKeyResolver, throttle: AuthThrottle): RequestHandler {
  return async (req, res, next) => {
    const key = apiKeyOf(req);
    if (!key) return next(unauthorized('missing API key: send Authorization: Bearer <apiKey> or x-api-key: <apiKey>'));
    const found: ResolvedKey | undefined = keys.cached(key) ?? (await throttle.verify(req, () => keys.resolve(key)));
    if (!found) return next(unauthorized('invalid API key'));
    if (!scopeAllows(found.scope, req)) {
      return next(new ApiError(403, 'INSUFFICIENT_SCOPE', `this API key has scope "${found.scope}": it may only POST /v1/leads`));
    }
    res.locals.accountId = found.accountId;
    res.locals.apiKeyId = found.keyId;
    next();
  };
}

/** An `ingest` key may only POST /v1/leads (Express matches paths case-insensitively, with or without a trailing slash). */
function scopeAllows(scope: ApiKeyScope, req: Request): boolean {
  if (scope === 'full') return true;
  const path = req.originalUrl.split('?')[0].toLowerCase().replace(/\/+$/, '');
  return req.method === 'POST' && path === '/v1/leads';
}

/** A constant-time check of ADMIN_TOKEN; failures are throttled per client address. */
export function requireAdmin(adminToken: string, throttle: AuthThrottle): RequestHandler {
  const isAdminToken = adminTokenCheck(adminToken);
  return async (req, _res, next) => {
    const token = bearerOf(req);
    if (!token) return next(unauthorized('admin token required'));
    const ok = await throttle.verify(req, () => isAdminToken(token) || undefined);
    if (!ok) return next(unauthorized('admin token required'));
    next();
  };
}

export function adminTokenCheck(adminToken: string): (candidate: string) => boolean {
  const expected = createHash('sha256').update(adminToken).digest();
  return (candidate) => timingSafeEqual(createHash('sha256').update(candidate).digest(), expected);
}

export function unauthorized(message: string): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', message, undefined, { 'www-authenticate': 'Bearer' });
}

export function accountIdOf(res: { locals: Record<string, unknown> }): string {
  return res.locals.accountId as string;
}
