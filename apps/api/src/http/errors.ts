import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isConnectionLoss } from '@crm-push/db';
import { redactIngestToken } from '@crm-push/sources';
import type { Logger } from 'pino';
import { ApiError } from './api-error';

/** Methods that carry a body must carry JSON. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json')) {
    return next(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `expected Content-Type application/json, got ${req.headers['content-type'] ?? 'none'}`));
  }
  next();
};

export const notFound: RequestHandler = (req, _res, next) => next(new ApiError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));

/** What body-parser attaches to the errors it throws. */
interface ErrorLike {
  message?: unknown;
  type?: unknown;
  limit?: unknown;
  status?: unknown;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) logger.error({ err, req: { method: req.method, url: redactIngestToken(req.originalUrl) } }, 'request failed');
    if (apiError.headers) res.set(apiError.headers);
    res.status(apiError.status).json({ error: { code: apiError.code, message: apiError.message, details: apiError.details } });
  };
}

function toApiError(err: ErrorLike | undefined): ApiError {
  if (err instanceof ApiError) return err;
  // body-parser's errors carry a `type`.
  if (err?.type === 'entity.parse.failed') return new ApiError(400, 'INVALID_JSON', `request body is not valid JSON: ${err.message}`);
  if (err?.type === 'entity.too.large') return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds the ${err.limit}-byte limit`);
  if (err?.type === 'charset.unsupported' || err?.type === 'encoding.unsupported') return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', String(err.message));
  // Express's own refusals (a path parameter that is not valid percent-encoded UTF-8) carry a 4xx status.
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500)
    return new ApiError(err.status, 'BAD_REQUEST', `the request is malformed: ${String(err.message)}`);
  if (isConnectionLoss(err))
    return new ApiError(503, 'SERVICE_UNAVAILABLE', 'the database is unavailable; nothing was accepted', undefined, { 'retry-after': '5' });
  return new ApiError(500, 'INTERNAL_ERROR', 'an unexpected error occurred');
}
