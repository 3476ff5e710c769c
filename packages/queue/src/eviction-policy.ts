import type { RedisConnection } from './connection';

/**
 * Redis's `maxmemory-policy`, read from INFO (which managed Redis services allow where they
 * disable CONFIG). BullMQ needs `noeviction`: any other policy lets Redis drop job keys and
 * locks under memory pressure, so jobs vanish or run twice.
 */
export async function readEvictionPolicy(redis: RedisConnection): Promise<string> {
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/** Whether a policy can evict BullMQ's keys (an unknown one is treated as evicting). */
export function isEvictingPolicy(policy: string): boolean {
  return policy !== 'noeviction';
}
