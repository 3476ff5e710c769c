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
 * however slow it is; if its worker dies it drops out after that), and when it is over
 * `markCallEnded` moves it to the time it ended: the vendor counted it somewhere between
 * admission and then, so counting it from its end keeps our window a superset of the vendor's,
 * whatever the latency in between.
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

/**
 * The lane's state and, when the lane is plainly open, a lease, in one round trip: the admission
 * of almost every call. Plainly open: no pause mirrored (one made under older credentials than
 * `credentialsVersion` is stale and does not count), the row the job loaded not paused, and no
 * vendor hold in force or waiting for its probe. Otherwise no lease is taken (`lease: 'closed'`)
 * and the caller decides what the pause or hold means (Lanes.admit). A Lua script, not a MULTI,
 * because the lease depends on what is read: a lease taken blindly would count a paused lane's
 * waiters as running calls and keep its probe out.
 */
const LEASE_IF_OPEN = `
local function field(flat, name)
  for i = 1, #flat, 2 do if flat[i] == name then return flat[i + 1] end end
end
local hold, learned, paused = redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3])
local now, leaseMs, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local reason, version = field(paused, 'reason'), tonumber(field(paused, 'credentialsVersion') or '')
local mirroredPause = reason and reason ~= '' and not (version and version < tonumber(ARGV[6]))
local holdUntil = field(hold, 'until')
local held = holdUntil and holdUntil ~= '' and ((tonumber(holdUntil) or 0) > now or field(hold, 'probe') == '1')
if mirroredPause or ARGV[5] == '1' or held then return {hold, learned, paused, 'closed'} end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
if redis.call('ZCARD', KEYS[4]) >= max then return {hold, learned, paused, 'full'} end
redis.call('ZADD', KEYS[4], now + leaseMs, ARGV[4])
redis.call('PEXPIRE', KEYS[4], leaseMs * 2)
return {hold, learned, paused, 'taken'}`;

type Hash = Record<string, string>;
export interface LaneState {
  hold: Hash;
  learned: Hash;
  paused: Hash;
  lease: 'taken' | 'full' | 'closed';
}

type WithLeaseIfOpen = RedisConnection & { leaseIfOpen(...args: (string | number)[]): Promise<[string[], string[], string[], LaneState['lease']]> };

export async function leaseIfOpen(
  redis: RedisConnection,
  keys: { hold: string; learned: string; paused: string; leases: string },
  lease: { token: string; max: number; leaseMs: number; rowPaused: boolean; credentialsVersion: number },
  now = Date.now(),
): Promise<LaneState> {
  if (!('leaseIfOpen' in redis)) redis.defineCommand('leaseIfOpen', { numberOfKeys: 4, lua: LEASE_IF_OPEN });
  const [hold, learned, paused, outcome] = await (redis as WithLeaseIfOpen).leaseIfOpen(
    keys.hold,
    keys.learned,
    keys.paused,
    keys.leases,
    now,
    lease.leaseMs,
    lease.max,
    lease.token,
    lease.rowPaused ? '1' : '0',
    lease.credentialsVersion,
  );
  return { hold: hashOf(hold), learned: hashOf(learned), paused: hashOf(paused), lease: outcome };
}

function hashOf(flat: string[]): Hash {
  const hash: Hash = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
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

/** Re-scores an admitted call at the time it ended (see takeFromWindow), on the MULTI that ends the call. */
export function markCallEnded(tx: ReturnType<RedisConnection['multi']>, key: string, member: string, now = Date.now()) {
  return tx.zadd(key, 'XX', now, member);
}
