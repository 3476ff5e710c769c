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

/** Known keys stay cached this long: a producer's every request needs its account. */
const KEY_CACHE_TTL_MS = 60_000;
const KEY_CACHE_MAX = 10_000;

/** Scopes the request to the account owning the API key; every /v1 query then filters by it. */
export function requireAccount(db: Db): RequestHandler {
  // Only found keys are cached (keys are never revoked, only created), so a key is valid here
  // as soon as it exists; unknown keys always reach the database.
  const cache = new Map<string, { accountId: string; until: number }>();
  return async (req, res, next) => {
    const key = bearer(req) ?? req.get('x-api-key')?.trim();
    if (!key) return next(unauthorized('missing API key: send Authorization: Bearer <apiKey> or x-api-key: <apiKey>'));
    const hash = hashApiKey(key);
    let hit = cache.get(hash);
    if (!hit || hit.until < Date.now()) {
      const found = await db.apiKey.findUnique({ where: { keyHash: hash }, select: { accountId: true } });
      if (!found) return next(unauthorized('invalid API key'));
      if (cache.size >= KEY_CACHE_MAX) cache.delete(cache.keys().next().value!);
      hit = { accountId: found.accountId, until: Date.now() + KEY_CACHE_TTL_MS };
      cache.set(hash, hit);
    }
    res.locals.accountId = hit.accountId;
    next();
  };
}

export function requireAdmin(adminToken: string): RequestHandler {
  const expected = createHash('sha256').update(adminToken).digest();
  return (req, _res, next) => {
    const token = bearer(req);
    const given = createHash('sha256')
      .update(token ?? '')
      .digest();
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
