import type { RedisConnection } from '@crm-push/queue';
import type { LaneKeys } from './lane-keys';

/*
 * The two round trips every call through a lane makes, as Lua scripts: admission (leaseIfOpen)
 * and the end of the call (endCall). One script is one command: a MULTI of the same steps is
 * MULTI, each step and EXEC, each a command ioredis builds and Redis queues (the lanes' release
 * was 13 % of the worker's allocations as a MULTI). Every key has the lane's hash tag, so each
 * script runs on one Redis Cluster node.
 */

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

export async function leaseIfOpen(
  redis: RedisConnection,
  keys: LaneKeys,
  lease: { token: string; max: number; leaseMs: number; rowPaused: boolean; credentialsVersion: number },
  now = Date.now(),
): Promise<LaneState> {
  const [hold, learned, paused, outcome] = (await laneScripts(redis).leaseIfOpen(
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
  )) as [string[], string[], string[], LaneState['lease']];
  return { hold: hashOf(hold), learned: hashOf(learned), paused: hashOf(paused), lease: outcome };
}

function hashOf(flat: string[]): Hash {
  const hash: Hash = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
}

/**
 * Ends a call in its lane: frees its lease, takes the delivery off the lane's waiters, re-scores
 * an admitted call at the time it ended (see takeFromWindow), frees the probe if this call was
 * it (whatever it found is recorded by now), ends the run of failures after a success. Returns
 * how many deliveries still wait for the lane.
 */
const END_CALL = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], 'XX', ARGV[4], ARGV[3]) end
if ARGV[5] == '1' then redis.call('DEL', KEYS[4]) end
if ARGV[6] == '1' then redis.call('DEL', KEYS[5]) end
return redis.call('ZCARD', KEYS[2])`;

export async function endCall(
  redis: RedisConnection,
  keys: LaneKeys,
  call: { token: string; deliveryId: string; windowMember?: string; probing: boolean; succeeded: boolean },
  now = Date.now(),
): Promise<number> {
  const waiting = await laneScripts(redis).endCall(
    keys.leases,
    keys.waiting,
    keys.calls,
    keys.probe,
    keys.failures,
    call.token,
    call.deliveryId,
    call.windowMember ?? '',
    now,
    call.probing ? '1' : '0',
    call.succeeded ? '1' : '0',
  );
  return Number(waiting);
}

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** The connection with the lane scripts defined on it (once per connection; ioredis sends EVALSHA, EVAL once if Redis lacks it). */
function laneScripts(redis: RedisConnection): { leaseIfOpen: ScriptCall; endCall: ScriptCall } {
  if (!('endCall' in redis)) {
    redis.defineCommand('leaseIfOpen', { numberOfKeys: 4, lua: LEASE_IF_OPEN });
    redis.defineCommand('endCall', { numberOfKeys: 5, lua: END_CALL });
  }
  return redis as unknown as { leaseIfOpen: ScriptCall; endCall: ScriptCall };
}
