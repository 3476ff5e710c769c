import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ApiError } from './api-error';

/**
 * Per-account request budget (RATE_LIMIT_PER_MINUTE; 0 turns it off). Counted in this process's
 * memory on purpose: ingest must keep working when Redis is down, so the limit cannot live there.
 * With N api processes an account gets up to N times the budget.
 */
export function accountRateLimit(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (_req, res) => res.locals.accountId as string,
    // Admin calls (POST /v1/accounts) carry no account.
    skip: (_req, res) => typeof res.locals.accountId !== 'string',
    handler: (_req, res, next, options) => {
      const retryAfter = Math.ceil(options.windowMs / 1000);
      next(
        new ApiError(429, 'RATE_LIMITED', `more than ${perMinute} requests in a minute for this account; retry later`, undefined, {
          'retry-after': String(retryAfter),
        }),
      );
    },
  });
}
