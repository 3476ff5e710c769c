import { withTimeout } from '@crm-push/config';
import { Router } from 'express';
import { isEvictingPolicy, readEvictionPolicy, type RedisConnection } from '@crm-push/queue';
import { json, route, type RouteTable } from '../http/route';
import { healthSchema, readinessSchema } from '../openapi/response-schemas';
import type { ApiDeps } from './context';

export const HEALTH_ROUTES = {
  health: {
    method: 'get',
    path: '/health',
    tag: 'Operations',
    summary: 'Liveness: the process answers',
    auth: 'none',
    responses: { 200: json('Alive.', healthSchema) },
  },
  ready: {
    method: 'get',
    path: '/ready',
    tag: 'Operations',
    summary: 'Readiness: PostgreSQL and Redis are reachable',
    auth: 'none',
    responses: {
      200: json('Both answer.', readinessSchema),
      503: json('One of them does not.', readinessSchema),
    },
  },
} satisfies RouteTable;

interface DependencyCheck {
  status: 'up' | 'down';
  error?: string;
  /** Redis only: its maxmemory-policy, and a warning when it can evict BullMQ's keys. */
  maxmemoryPolicy?: string;
  warning?: string;
}

const CHECK_TIMEOUT_MS = 1500;

/** Down, with a reason that names no host, user or password (drivers put them in messages). */
async function check(fn: () => Promise<unknown>): Promise<DependencyCheck> {
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: (err as Error).message === 'timed out' ? 'did not answer in time' : 'unreachable' };
  }
}

/**
 * Up when Redis answers. An evicting maxmemory-policy keeps it up (the api still accepts leads,
 * and the sweep re-enqueues what Redis drops) but is reported, here and as a metric.
 */
async function checkRedis(redis: RedisConnection): Promise<DependencyCheck> {
  let policy: string | undefined;
  const result = await check(async () => {
    policy = await readEvictionPolicy(redis);
  });
  if (result.status === 'down' || policy === undefined) return result;
  if (!isEvictingPolicy(policy)) return { ...result, maxmemoryPolicy: policy };
  return { ...result, maxmemoryPolicy: policy, warning: `maxmemory-policy is ${policy}: Redis may evict queued jobs; set it to noeviction` };
}

export function healthRouter(deps: ApiDeps, redis: RedisConnection): Router {
  const router = Router();
  // The front door (not part of the API): a browser is sent to the admin panel, a client told where the docs are.
  router.get('/', (req, res) => {
    if (req.accepts(['json', 'html']) === 'html') return res.redirect(302, '/admin');
    res.json({ name: 'CRM Push', admin: '/admin', docs: '/docs', openapi: '/openapi.json', health: '/health' });
  });
  route(router, HEALTH_ROUTES.health, (_req, res) => {
    res.json({ status: 'ok' });
  });
  route(router, HEALTH_ROUTES.ready, async (_req, res) => {
    const [postgres, redisCheck] = await Promise.all([check(() => deps.db.$queryRaw`SELECT 1`), checkRedis(redis)]);
    const ready = postgres.status === 'up' && redisCheck.status === 'up';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis: redisCheck } });
  });
  return router;
}
