import type { RedisConnection } from '@crm-push/queue';
import { createBatcher, type Batcher } from '../batcher';
import type { LaneKeys } from './lane-keys';

/*
 * The two round trips every call through a lane makes, as Lua scripts: admission (leaseIfOpen)
 * and the end of the call (endCall). One script is one command: a MULTI of the same steps is
 * MULTI, each step and EXEC, each a command ioredis builds and Redis queues (the lanes' release
 * was 13 % of the worker's allocations as a MULTI). Every key has the lane's hash tag, so each
 * script runs on one Redis Cluster node.
 *
 * A worker's concurrent calls of one lane share each round trip: the calls that arrive while
 * the lane's previous admissions (or ends) are on their way to Redis go together in the next
 * script, which reads the lane's state once and handles each call in turn (see ../batcher). A
 * lone call goes at once; under load a round trip carries the calls of several jobs.
 */

/**
 * The lane's state and, when the lane is plainly open for a call, a lease for it, in one round
 * trip: the admission of almost every call. Plainly open: no pause mirrored (one made under older
 * credentials than the call's `credentialsVersion` is stale and does not count), the row the job
 * loaded not paused, and no vendor hold in force or waiting for its probe. Otherwise no lease is
 * taken (`closed`) and the caller decides what the pause or hold means (Lanes.admit). A Lua
 * script, not a MULTI, because the lease depends on what is read: a lease taken blindly would
 * count a paused lane's waiters as running calls and keep its probe out. ARGV: now, leaseMs, then
 * per call: token, max, rowPaused, credentialsVersion.
 */
const LEASE_IF_OPEN = `
local function field(flat, name)
  for i = 1, #flat, 2 do if flat[i] == name then return flat[i + 1] end end
end
local hold, learned, paused = redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3])
local now, leaseMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local reason, version = field(paused, 'reason'), tonumber(field(paused, 'credentialsVersion') or '')
local holdUntil = field(hold, 'until')
local held = holdUntil and holdUntil ~= '' and ((tonumber(holdUntil) or 0) > now or field(hold, 'probe') == '1')
local outcomes, swept, taken = {}, false, false
for i = 3, #ARGV, 4 do
  local mirroredPause = reason and reason ~= '' and not (version and version < tonumber(ARGV[i + 3]))
  if mirroredPause or ARGV[i + 2] == '1' or held then
    outcomes[#outcomes + 1] = 'closed'
  else
    if not swept then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now); swept = true end
    if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[i + 1]) then
      outcomes[#outcomes + 1] = 'full'
    else
      redis.call('ZADD', KEYS[4], now + leaseMs, ARGV[i])
      outcomes[#outcomes + 1] = 'taken'
      taken = true
    end
  end
end
if taken then redis.call('PEXPIRE', KEYS[4], leaseMs * 2) end
return {hold, learned, paused, outcomes}`;

/**
 * Ends calls in their lane: frees each one's lease, takes its delivery off the lane's waiters,
 * re-scores an admitted call at the time it ended (see takeFromWindow), frees the probe if one
 * of them was it (whatever it found is recorded by now), ends the run of failures after a
 * success. Returns how many deliveries still wait for the lane. ARGV: now, then per call:
 * token, deliveryId, windowMember, probing, succeeded.
 */
const END_CALL = `
local tokens, deliveries, probed, succeeded = {}, {}, false, false
for i = 2, #ARGV, 5 do
  tokens[#tokens + 1], deliveries[#deliveries + 1] = ARGV[i], ARGV[i + 1]
  if ARGV[i + 2] ~= '' then redis.call('ZADD', KEYS[3], 'XX', ARGV[1], ARGV[i + 2]) end
  if ARGV[i + 3] == '1' then probed = true end
  if ARGV[i + 4] == '1' then succeeded = true end
end
redis.call('ZREM', KEYS[1], unpack(tokens))
redis.call('ZREM', KEYS[2], unpack(deliveries))
if probed then redis.call('DEL', KEYS[4]) end
if succeeded then redis.call('DEL', KEYS[5]) end
return redis.call('ZCARD', KEYS[2])`;

type Hash = Record<string, string>;
export interface LaneState {
  hold: Hash;
  learned: Hash;
  paused: Hash;
  lease: 'taken' | 'full' | 'closed';
}

export interface LeaseRequest {
  token: string;
  max: number;
  rowPaused: boolean;
  credentialsVersion: number;
}

export interface CallEnd {
  token: string;
  deliveryId: string;
  windowMember?: string;
  probing: boolean;
  succeeded: boolean;
}

/** The lane round trips of one connection, each shared by the concurrent calls of a lane. */
export interface LaneCalls {
  leaseIfOpen(keys: LaneKeys, lease: LeaseRequest): Promise<LaneState>;
  /** Resolves with how many deliveries still wait for the lane. */
  endCall(keys: LaneKeys, call: CallEnd): Promise<number>;
}

/** Calls gathered while a lane's round trips are in flight; a few in flight keep a lone call from waiting behind them. */
const BATCH_OPTIONS = { maxSize: 100, maxInFlight: 2 };

/** `leaseMs`: how long a lease lasts unless renewed. */
export function laneCalls(redis: RedisConnection, leaseMs: number): LaneCalls {
  const scripts = laneScripts(redis);
  const leaseIfOpen = perLane<LeaseRequest, LaneState>(async (keys, leases) => {
    const args = leases.flatMap((l) => [l.token, l.max, l.rowPaused ? '1' : '0', l.credentialsVersion]);
    const [hold, learned, paused, outcomes] = (await scripts.leaseIfOpen(keys.hold, keys.learned, keys.paused, keys.leases, Date.now(), leaseMs, ...args)) as [
      string[],
      string[],
      string[],
      LaneState['lease'][],
    ];
    const state = { hold: hashOf(hold), learned: hashOf(learned), paused: hashOf(paused) };
    return outcomes.map((lease) => ({ ...state, lease }));
  });
  const endCall = perLane<CallEnd, number>(async (keys, calls) => {
    const args = calls.flatMap((c) => [c.token, c.deliveryId, c.windowMember ?? '', c.probing ? '1' : '0', c.succeeded ? '1' : '0']);
    const waiting = Number(await scripts.endCall(keys.leases, keys.waiting, keys.calls, keys.probe, keys.failures, Date.now(), ...args));
    return calls.map(() => waiting);
  });
  return { leaseIfOpen: (keys, lease) => leaseIfOpen({ keys, item: lease }), endCall: (keys, call) => endCall({ keys, item: call }) };
}

/**
 * A batcher whose batches are split by lane: one script per lane, all sent at once. A lane whose
 * script fails fails only its own calls.
 */
function perLane<In, Out>(run: (keys: LaneKeys, items: In[]) => Promise<Out[]>): Batcher<{ keys: LaneKeys; item: In }, Out> {
  return createBatcher(async (calls) => {
    const lanes = new Map<string, { keys: LaneKeys; at: number[] }>();
    calls.forEach((c, i) => {
      const lane = lanes.get(c.keys.leases) ?? { keys: c.keys, at: [] };
      lane.at.push(i);
      lanes.set(c.keys.leases, lane);
    });
    const results: (Out | Error)[] = new Array(calls.length);
    await Promise.all(
      [...lanes.values()].map(async ({ keys, at }) => {
        try {
          const outs = await run(
            keys,
            at.map((i) => calls[i].item),
          );
          at.forEach((i, j) => (results[i] = outs[j]));
        } catch (err) {
          for (const i of at) results[i] = err instanceof Error ? err : new Error(String(err));
        }
      }),
    );
    return results;
  }, BATCH_OPTIONS);
}

function hashOf(flat: string[]): Hash {
  const hash: Hash = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
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
