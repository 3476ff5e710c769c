import { Router } from 'express';
import type { RedisConnection } from '@crm-push/queue';
import type { ApiDeps } from './context';

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref())]);
}

/** Down, with a reason that names no host, user or password (drivers put them in messages). */
async function check(fn: () => Promise<unknown>): Promise<{ status: 'up' | 'down'; error?: string }> {
  try {
    await withTimeout(fn());
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: (err as Error).message === 'timed out' ? 'did not answer in time' : 'unreachable' };
  }
}

export function healthRouter(deps: ApiDeps, redis: RedisConnection): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const [postgres, redisCheck] = await Promise.all([check(() => deps.db.$queryRaw`SELECT 1`), check(() => redis.ping())]);
    const ready = postgres.status === 'up' && redisCheck.status === 'up';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis: redisCheck } });
  });
  return router;
}
