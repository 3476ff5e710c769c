import { Redis, type RedisOptions } from 'ioredis';

/**
 * Workers block on Redis and must wait for it through outages (maxRetriesPerRequest: null, as
 * BullMQ requires). Producers — the api — must fail fast instead, so an ingest never hangs on a
 * Redis outage: the lead is already in PostgreSQL and the sweep enqueues it later.
 */
export function createRedis(url: string, role: 'worker' | 'producer'): Redis {
  const options: RedisOptions =
    role === 'worker' ? { maxRetriesPerRequest: null, enableReadyCheck: false } : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const redis = new Redis(url, { ...options, lazyConnect: false });
  // Errors are surfaced by the calls that fail; without a listener ioredis would print each retry.
  redis.on('error', () => undefined);
  return redis;
}
