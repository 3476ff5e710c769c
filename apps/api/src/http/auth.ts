import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '@crm-push/db';
import type { Request, RequestHandler } from 'express';
import { ApiError } from './api-error';

const KEY_PREFIX = 'cpk_';

export function newApiKey(): { key: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function bearer(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Scopes the request to the account owning the API key; every /v1 query then filters by it. */
export function requireAccount(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = bearer(req);
    if (!key) return next(unauthorized('missing API key: send Authorization: Bearer <apiKey>'));
    const found = await db.apiKey.findUnique({ where: { keyHash: hashApiKey(key) }, select: { accountId: true } });
    if (!found) return next(unauthorized('invalid API key'));
    res.locals.accountId = found.accountId;
    next();
  };
}

export function requireAdmin(adminToken: string): RequestHandler {
  const expected = createHash('sha256').update(adminToken).digest();
  return (req, _res, next) => {
    const token = bearer(req);
    const given = createHash('sha256').update(token ?? '').digest();
    if (!token || !timingSafeEqual(given, expected)) return next(unauthorized('admin token required'));
    next();
  };
}

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', message, undefined, { 'www-authenticate': 'Bearer' });
}

export function accountIdOf(res: { locals: Record<string, unknown> }): string {
  return res.locals.accountId as string;
}
