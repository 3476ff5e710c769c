import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { redactIngestToken } from '@crm-push/sources';

/** Probes and scrapes are not requests anyone reads the log for. */
const UNLOGGED_PATHS = new Set(['/health', '/metrics']);

/**
 * One line per answered request: method, path, status and time, at info level. Only what is
 * logged is built, and only once the answer is finished and the level enabled: a per-request
 * child logger with the whole request serialised (what pino-http does) cost more CPU than
 * validating the lead. Headers are not logged, so no credential can reach a line.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (UNLOGGED_PATHS.has(req.url)) return next();
    const startedAt = performance.now();
    res.once('finish', () => {
      if (!logger.isLevelEnabled('info')) return;
      const responseTime = Math.round(performance.now() - startedAt);
      // A source's ingest token is its only key: it never reaches a log line.
      logger.info(
        { req: { method: req.method, url: redactIngestToken(req.originalUrl) }, res: { statusCode: res.statusCode }, responseTime },
        'request completed',
      );
    });
    next();
  };
}
