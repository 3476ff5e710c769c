import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@crm-push/queue';

/**
 * Admission into a rolling window: at most `limit` calls in any `windowMs`, counted the way
 * HubSpot counts (a sliding log, not fixed buckets). rate-limiter-flexible's Redis limiters use
 * fixed windows, which let twice the limit through across a window boundary — exactly what a
 * vendor's rolling window answers with 429s — so this is a sorted set updated in one MULTI
 * (atomic, no Lua): add the call, count the window, and take the call back out if it is over.
 * A call taken back may make a concurrent one see one too many and wait a little longer: the
 * error is always on the safe side. A call in flight is scored `inFlightMs` ahead (always counted,
 * however slow it is; if its worker dies it drops out after that), and when it is over the
 * end of the call (endCall, lane-scripts.ts) moves it to the time it ended: the vendor counted it
 * somewhere between admission and then, so counting it from its end keeps our window a superset
 * of the vendor's, whatever the latency in between.
 */
export async function takeFromWindow(
  redis: RedisConnection,
  key: string,
  limit: number,
  windowMs: number,
  inFlightMs: number,
  now = Date.now(),
): Promise<{ admitted: true; member: string } | { admitted: false; opensInMs: number; opensAt: number[] }> {
  const member = `${now}:${randomUUID()}`;
  const replies = await redis
    .multi()
    .zremrangebyscore(key, '-inf', now - windowMs)
    .zadd(key, now + inFlightMs, member)
    .zcard(key)
    .zrange(key, 0, limit, 'WITHSCORES')
    .pexpire(key, windowMs * 2 + inFlightMs)
    .exec();
  const count = Number(replies?.[2]?.[1] ?? 0);
  if (count <= limit) return { admitted: true, member };
  await redis.zrem(key, member);
  // When each of the oldest calls leaves the window, in order. One still in flight (scored in the
  // future) leaves at the earliest a window from now.
  const withScores = (replies?.[3]?.[1] as string[] | undefined) ?? [];
  const opensAt: number[] = [];
  for (let i = 0; i < withScores.length; i += 2) {
    if (withScores[i] !== member) opensAt.push(Math.min(Number(withScores[i + 1]), now) + windowMs);
  }
  opensAt.sort((a, b) => a - b);
  const first = opensAt[0] ?? now + windowMs;
  return { admitted: false, opensInMs: Math.min(windowMs, Math.max(1, first - now)), opensAt };
}

/**
 * A distributed semaphore: at most `max` leases at once across every worker. A lease expires
 * `leaseMs` after it was last renewed, so a worker that dies mid-call frees its slot by itself.
 */
export async function acquireLease(redis: RedisConnection, key: string, token: string, max: number, leaseMs: number, now = Date.now()): Promise<boolean> {
  const replies = await redis
    .multi()
    .zremrangebyscore(key, '-inf', now)
    .zadd(key, now + leaseMs, token)
    .zcard(key)
    .pexpire(key, leaseMs * 2)
    .exec();
  if (Number(replies?.[2]?.[1] ?? 0) <= max) return true;
  await redis.zrem(key, token);
  return false;
}

export async function renewLease(redis: RedisConnection, key: string, token: string, leaseMs: number): Promise<void> {
  await redis
    .multi()
    .zadd(key, 'XX', Date.now() + leaseMs, token)
    .pexpire(key, leaseMs * 2)
    .exec();
}

export async function releaseLease(redis: RedisConnection, key: string, token: string): Promise<void> {
  await redis.zrem(key, token);
}
