import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { ProcessMetrics } from '@crm-push/metrics';
import { pinoHttp } from 'pino-http';
import { adminRouter } from './admin/admin-router';
import { requireAccount, requireAdmin } from './http/auth';
import { errorHandler, notFound, requireJson } from './http/errors';
import { accountRateLimit } from './http/rate-limit';
import { accountsRouter } from './routes/accounts';
import type { ApiDeps } from './routes/context';
import { deliveriesRouter } from './routes/deliveries';
import { destinationsRouter } from './routes/destinations';
import { flowsRouter } from './routes/flows';
import { healthRouter } from './routes/health';
import { leadsRouter } from './routes/leads';
import { operationsRouter } from './routes/operations';
import { docsRouter } from './openapi/docs-router';
import { metricsRouter } from './metrics/metrics-router';

export interface AppOptions {
  /** The api's Redis connection (producer side), for /ready. */
  redis: Redis;
  /** Maximum JSON body. @defaultValue "256kb" */
  bodyLimit?: string;
  /** This process's metrics (the same object as deps.metrics), served at GET /metrics. */
  metrics?: ProcessMetrics;
}

export function createApp(deps: ApiDeps, opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' } }));
  app.use(healthRouter(deps, opts.redis));
  if (opts.metrics) app.use(metricsRouter(opts.metrics));
  app.use(docsRouter());
  // Before the JSON-only body handling below: the admin login form posts urlencoded.
  app.use(adminRouter(deps));
  // Authentication before body parsing: a caller without a key learns nothing about its body.
  const admin = requireAdmin(deps.config.ADMIN_TOKEN);
  const account = requireAccount(deps.db);
  app.use('/v1', (req, res, next) => (req.path === '/accounts' ? admin : account)(req, res, next));
  app.use('/v1', accountRateLimit(deps.config.RATE_LIMIT_PER_MINUTE));
  app.use(requireJson);
  app.use(express.json({ limit: opts.bodyLimit ?? '256kb', strict: true }));
  app.use(accountsRouter(deps));
  app.use(destinationsRouter(deps));
  app.use(flowsRouter(deps));
  app.use(leadsRouter(deps));
  app.use(deliveriesRouter(deps));
  app.use(operationsRouter(deps));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
