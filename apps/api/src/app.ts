import express, { Router, type Express } from 'express';
import type { RedisConnection } from '@crm-push/queue';
import type { ProcessMetrics } from '@crm-push/metrics';
import { adminRouter } from './admin/admin-router';
import { ApiKeyResolver } from './auth/api-key-resolver';
import { AuthThrottle, type AuthThrottleOptions } from './auth/auth-throttle';
import { requireAccount, requireAdmin } from './http/auth';
import { errorHandler, notFound, requireJson } from './http/errors';
import { requestLog } from './http/request-log';
import { accountRateLimit } from './http/rate-limit';
import { refuseUnstorableInput } from './http/storable-input';
import { accountsRouter } from './routes/accounts';
import { apiKeysRouter } from './routes/api-keys';
import type { ApiDeps } from './routes/context';
import { deliveriesRouter } from './routes/deliveries';
import { destinationsRouter } from './routes/destinations';
import { flowsRouter } from './routes/flows';
import { healthRouter } from './routes/health';
import { ingestRouter } from './routes/ingest';
import { sourcesRouter } from './routes/sources';
import { leadsRouter } from './routes/leads';
import { operationsRouter } from './routes/operations';
import { docsRouter } from './openapi/docs-router';
import { metricsRouter } from './metrics/metrics-router';

export interface AppOptions {
  /** The api's Redis connection (producer side): /ready, the authentication throttle, revocation announcements. */
  redis: RedisConnection;
  /**
   * A connection of its own for Redis pub/sub (a subscribed connection can do nothing else):
   * API key revocations arrive on it. Without it, API keys are read from PostgreSQL on every request.
   */
  subscriber?: RedisConnection;
  /** Tuning of the authentication throttle; the defaults are the product's. */
  authThrottle?: AuthThrottleOptions;
  /** Maximum JSON body. @defaultValue "256kb" */
  bodyLimit?: string;
  /** This process's metrics (the same object as deps.metrics), served at GET /metrics. */
  metrics?: ProcessMetrics;
}

export function createApp(deps: ApiDeps, opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is computed from live rows, so a client has nothing to revalidate; a weak ETag
  // would be a SHA-1 of every body (`npm run bench -- --frameworks`).
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(requestLog(deps.logger));
  const throttle = new AuthThrottle(opts.redis, deps.logger, opts.authThrottle);
  // The API first: an ingest, the request that comes by the thousand, is not matched against
  // the routes of the health checks, docs and admin panel (and they are not against the API's).
  app.use(apiRouter(deps, opts, throttle));
  app.use(healthRouter(deps, opts.redis));
  if (opts.metrics) app.use(metricsRouter(opts.metrics));
  app.use(docsRouter());
  // Before any JSON-only body handling: the admin login form posts urlencoded.
  app.use(adminRouter(deps, throttle));
  // Public, keyed by the token in the URL, with bodies in whatever a platform or form sends.
  app.use(ingestRouter(deps));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

/** The API proper: API keys, JSON bodies. Everything else (health, docs, admin, source ingest) is not. */
const isApiPath = (path: string) => /^\/(v1|crm)(\/|$)/.test(path);

/** /v1 and /crm: authentication, then the account's rate limit, then the JSON body, then the routes. */
function apiRouter(deps: ApiDeps, opts: AppOptions, throttle: AuthThrottle): Router {
  const api = Router();
  // next('router'): whatever is not the API leaves this router at once.
  api.use((req, _res, next) => next(isApiPath(req.path) ? undefined : 'router'));
  const keys = new ApiKeyResolver(deps.db, deps.logger, opts.subscriber);
  // Authentication before body parsing: a caller without a key learns nothing about its body.
  const admin = requireAdmin(deps.config.ADMIN_TOKEN, throttle);
  const account = requireAccount(keys, throttle);
  api.use('/v1', (req, res, next) => (req.path === '/accounts' ? admin : account)(req, res, next));
  api.use('/crm', account);
  api.use('/v1', accountRateLimit(deps.config.RATE_LIMIT_PER_MINUTE));
  api.use('/crm', accountRateLimit(deps.config.RATE_LIMIT_PER_MINUTE));
  api.use(requireJson);
  api.use(express.json({ limit: opts.bodyLimit ?? '256kb', strict: true }));
  api.use(refuseUnstorableInput);
  // First: an ingest is not matched against every other route.
  api.use(leadsRouter(deps));
  api.use(accountsRouter(deps));
  api.use(apiKeysRouter(deps, keys, opts.redis));
  api.use(destinationsRouter(deps));
  api.use(flowsRouter(deps));
  api.use(deliveriesRouter(deps));
  api.use(operationsRouter(deps));
  api.use(sourcesRouter(deps));
  return api;
}
